//! `graftwatch man [--out DIR]`: manual pages (roff) from the same
//! definitions as `--help`.

use std::path::PathBuf;

use clap::Args;

use crate::BadInput;

/// Write manual pages.
///
/// Without `--out`, prints graftwatch(1) to standard output
/// (`graftwatch man | man -l -`). With `--out DIR`, writes graftwatch.1 and
/// one page per subcommand (graftwatch-grade.1, graftwatch-course-validate.1, …).
#[derive(Args, Debug)]
pub struct ManArgs {
    /// Directory to write every page into (created if missing).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace pages that already exist in --out.
    #[arg(long)]
    pub force: bool,
}

/// Renders the pages.
pub fn run(args: ManArgs, cli: clap::Command) -> anyhow::Result<()> {
    let cli = cli.version(env!("CARGO_PKG_VERSION"));
    let Some(dir) = args.out else {
        let mut out = Vec::new();
        clap_mangen::Man::new(cli).render(&mut out)?;
        graftwatch_output::write("-".as_ref(), &out, graftwatch_output::Overwrite::Replace)
            .map_err(crate::exit::input)?;
        return Ok(());
    };
    std::fs::create_dir_all(&dir).map_err(|e| {
        BadInput(format!(
            "--out {}: cannot create the directory: {e}",
            dir.display()
        ))
    })?;
    let overwrite = graftwatch_output::Overwrite::from_force(args.force);
    let mut pages = Vec::new();
    collect(&cli, &mut Vec::new(), &mut pages);
    for (name, cmd) in pages {
        let mut roff = Vec::new();
        clap_mangen::Man::new(cmd)
            .title(name.to_uppercase())
            .render(&mut roff)?;
        let path = dir.join(format!("{name}.1"));
        graftwatch_output::write(&path, &roff, overwrite).map_err(crate::exit::input)?;
        println!("wrote {}", path.display());
    }
    Ok(())
}

/// The command and every subcommand, each named `graftwatch-sub-sub`.
fn collect(cmd: &clap::Command, prefix: &mut Vec<String>, out: &mut Vec<(String, clap::Command)>) {
    prefix.push(cmd.get_name().to_string());
    let name = prefix.join("-");
    out.push((name, cmd.clone()));
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        collect(sub, prefix, out);
    }
    prefix.pop();
}
