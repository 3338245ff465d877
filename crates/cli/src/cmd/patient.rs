//! `graftwatch patient purge PATIENT --reason …`: lawful erasure (admin only).

use clap::{Args, Subcommand};

use super::store_common::{StoreOpts, store_err};

/// `patient` subcommands.
#[derive(Subcommand, Debug)]
pub enum PatientCommand {
    /// Erase a patient's clinical data (every revision's payload, derived
    /// state, chimerism results, reference profiles); the revision list and
    /// the audit trail stay. Admin only; the purge is audited.
    Purge(PurgeArgs),
}

/// Arguments of `patient purge`.
#[derive(Args, Debug)]
pub struct PurgeArgs {
    /// Patient id.
    pub patient: String,
    /// Why (e.g. the erasure request's reference). Required.
    #[arg(long, required = true)]
    pub reason: String,
    #[command(flatten)]
    pub store: StoreOpts,
}

/// Runs `patient`.
pub fn run(c: PatientCommand) -> anyhow::Result<()> {
    match c {
        PatientCommand::Purge(a) => {
            let (store, actor) = a.store.open()?;
            let m = store
                .purge(&actor, &a.patient, &a.reason)
                .map_err(store_err)?;
            println!(
                "patient {} purged at revision {}: clinical payloads removed; the revision list and the audit trail remain",
                a.patient, m.rev
            );
            Ok(())
        }
    }
}
