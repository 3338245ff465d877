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
    let h = store.history(&actor, &a.patient).map_err(store_err)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&h)?);
        return Ok(());
    }
    println!(
        "rev  {:<9} {:<27} {:<16} reason",
        "change", "time (UTC)", "author"
    );
    for m in &h {
        println!(
            "{:<4} {:<9} {:<27} {:<16} {}",
            m.rev,
            m.kind.as_str(),
            m.at,
            m.author,
            m.reason.as_deref().unwrap_or("")
        );
    }
    Ok(())
}
