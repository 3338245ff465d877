//! `graftwatch audit show|verify`.

use clap::{Args, Subcommand};
use graftwatch_core::number::{counted, counted_as};

use super::store_common::{StoreOpts, store_err};

/// `audit` subcommands.
#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Print audit entries (all, or those naming one patient).
    Show(ShowArgs),
    /// Recompute the keyed hash chain and compare it with the anchor file;
    /// names the first bad entry and exits 3 if the trail was tampered with.
    Verify(StoreOpts),
}

/// Arguments of `audit show`.
#[derive(Args, Debug)]
pub struct ShowArgs {
    /// Only entries naming this patient.
    #[arg(long)]
    pub patient: Option<String>,
    /// First entry number.
    #[arg(long, default_value_t = 1)]
    pub from: i64,
    /// At most this many entries.
    #[arg(long, default_value_t = 1000)]
    pub limit: i64,
    /// JSON lines instead of a table.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub store: StoreOpts,
}

/// Runs `audit`.
pub fn run(c: AuditCommand) -> anyhow::Result<()> {
    match c {
        AuditCommand::Show(a) => show(&a),
        AuditCommand::Verify(o) => verify(&o),
    }
}

/// `audit verify`: the audit chain and every stored course's revision
/// chain; exit 3 when either is damaged.
fn verify(o: &StoreOpts) -> anyhow::Result<()> {
    let (store, _) = o.open()?;
    let v = store.verify_audit().map_err(store_err)?;
    let mut intact = true;
    match &v.first_problem {
        None => println!(
            "audit trail intact: {}, keyed hash chain verified, {} {} ({})",
            counted_as(v.entries, "entry", "entries"),
            counted(v.anchors, "daily anchor"),
            if v.anchors == 1 { "matches" } else { "match" },
            store.anchor_file().display()
        ),
        Some(p) => {
            intact = false;
            eprintln!("audit trail NOT intact: {p}");
        }
    }
    let c = store.verify_courses().map_err(store_err)?;
    let purged = match c.purged {
        0 => String::new(),
        n => format!(
            "; {} purged: content erased by purge, numbering checked",
            counted(n, "patient")
        ),
    };
    if c.problems.is_empty() {
        println!(
            "stored courses intact: {} of {} match their chain hashes{purged}",
            counted(c.revisions, "revision"),
            counted(c.patients, "patient")
        );
    } else {
        intact = false;
        eprintln!(
            "stored courses NOT intact: {} of {} damaged:",
            c.problems.len(),
            counted(c.patients, "patient")
        );
        for p in &c.problems {
            eprintln!("  {p}");
        }
    }
    if !intact {
        std::process::exit(3);
    }
    Ok(())
}

fn show(a: &ShowArgs) -> anyhow::Result<()> {
    let (store, _) = a.store.open()?;
    let entries = match &a.patient {
        Some(p) => store.audit_for_patient(p).map_err(store_err)?,
        None => store.audit_entries(a.from, a.limit).map_err(store_err)?,
    };
    for e in entries
        .iter()
        .filter(|e| e.seq >= a.from)
        .take(a.limit.max(0) as usize)
    {
        if a.json {
            println!("{}", serde_json::to_string(e)?);
        } else {
            let reason = if e.reason.is_empty() {
                String::new()
            } else {
                format!(" reason: {}", e.reason)
            };
            println!(
                "#{} {} {} ({}, {}) {} [{}] {} → {}{reason}",
                e.seq,
                e.at,
                e.actor,
                graftwatch_store::Role::label_of(&e.role),
                e.channel,
                graftwatch_store::audit::action_label(&e.action),
                e.patients,
                e.resource,
                e.outcome
            );
        }
    }
    Ok(())
}
