//! `graftwatch patients [--alerts] [--format table|json]`: the ward list
//! from the stored derived state (recomputed first where out of date).

use clap::{Args, ValueEnum};
use graftwatch_core::Unit;
use graftwatch_core::number::counted;
use graftwatch_store::PatientRow;

use super::store_common::{StoreOpts, store_err};

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// One line per patient.
    Table,
    /// JSON array.
    Json,
}

/// Arguments of `patients`.
#[derive(Args, Debug)]
pub struct PatientsArgs {
    /// Only patients with at least one alert.
    #[arg(long)]
    pub alerts: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
    #[command(flatten)]
    pub store: StoreOpts,
}

fn latest(r: &PatientRow, analyte: &str) -> String {
    r.state
        .as_ref()
        .and_then(|s| s.summary.latest.iter().find(|l| l.analyte == analyte))
        .map_or("-".into(), |l| {
            // The stored canonical unit (`10^9/L`) in the symbol a clinician
            // reads (`×10⁹/L`); an unknown spelling is shown as stored.
            let v = match l.unit.parse::<Unit>() {
                Ok(u) => u.with_value(l.value),
                Err(_) => format!("{} {}", l.value, l.unit),
            };
            format!("{v} ({})", l.date)
        })
}

fn line(r: &PatientRow) -> String {
    let Some(s) = &r.state else {
        return format!("{:<16} rev {:<4} (no derived state)", r.patient, r.head_rev);
    };
    // The latest alert first: the list is by date, and a year-old alert
    // shown alone reads as current.
    let alerts = match s.summary.alerts.as_slice() {
        [] => "no alerts".to_string(),
        [a] => format!("1 alert: {} on {}", a.kind, a.date),
        [first, .., last] => format!(
            "{} alerts, latest: {} on {} (first {})",
            s.summary.alerts.len(),
            last.kind,
            last.date,
            first.date
        ),
    };
    let dli = match &s.summary.dli {
        Some(d) => format!("DLI {}", d.words()),
        None => "DLI not assessed".into(),
    };
    format!(
        "{:<16} rev {:<4} last {:<10}  ANC {}  platelets {}  {alerts}; {dli}",
        r.patient,
        r.head_rev,
        s.last_date.as_deref().unwrap_or("-"),
        latest(r, "anc"),
        latest(r, "platelets"),
    )
}

/// Runs `patients`.
pub fn run(a: PatientsArgs) -> anyhow::Result<()> {
    let (store, actor) = a.store.open()?;
    let rows = store.list_patients(&actor, a.alerts).map_err(store_err)?;
    match a.format {
        ListFormat::Json => println!("{}", serde_json::to_string_pretty(&rows)?),
        ListFormat::Table => {
            for r in &rows {
                println!("{}", line(r));
            }
            let what = if a.alerts {
                "with alerts"
            } else {
                "in the store"
            };
            println!("{} {what}", counted(rows.len(), "patient"));
        }
    }
    Ok(())
}
