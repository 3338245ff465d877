//! `graftwatch history PATIENT`: every revision of a stored course (who,
//! when, what, why).

use clap::Args;

use super::store_common::{StoreOpts, store_err};

/// Arguments of `history`.
#[derive(Args, Debug)]
pub struct HistoryArgs {
    /// Patient id.
    pub patient: String,
    /// JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub store: StoreOpts,
}

/// Runs `history`.
pub fn run(a: HistoryArgs) -> anyhow::Result<()> {
    let (store, actor) = a.store.open()?;
    let h = store
        .history_changes(&actor, &a.patient)
        .map_err(store_err)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&h)?);
        return Ok(());
    }
    let what_width = h.iter().map(|l| l.what.chars().count()).max().unwrap_or(0);
    println!(
        "rev  {:<9} {:<27} {:<16} {:<what_width$} reason",
        "change", "time (UTC)", "author", "what"
    );
    for l in &h {
        let m = &l.meta;
        println!(
            "{:<4} {:<9} {:<27} {:<16} {:<what_width$} {}",
            m.rev,
            m.kind.as_str(),
            m.at,
            m.author,
            l.what,
            m.reason.as_deref().unwrap_or("")
        );
    }
    Ok(())
}
