//! `graftwatch demo`: the main job on the bundled seed case.

use clap::Args;

/// Arguments of `demo`.
#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Output directory for the report.
    #[arg(long, default_value = "graftwatch-demo")]
    pub out: std::path::PathBuf,
}

/// Runs the demo.
pub fn run(_args: DemoArgs) -> anyhow::Result<()> {
    anyhow::bail!("demo is being built")
}
