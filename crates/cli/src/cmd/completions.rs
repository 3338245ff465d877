//! `graftwatch completions SHELL`: prints a shell completion script.

use clap::{Args, ValueEnum};
use clap_complete::Shell;

/// Print a completion script for your shell.
///
/// Example (bash): `graftwatch completions bash > ~/.local/share/bash-completion/completions/graftwatch`
#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: ShellName,
}

/// The shells a completion script can be written for.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ShellName {
    /// GNU bash.
    Bash,
    /// Z shell.
    Zsh,
    /// fish.
    Fish,
    /// PowerShell.
    Powershell,
    /// Elvish.
    Elvish,
}

impl From<ShellName> for Shell {
    fn from(s: ShellName) -> Shell {
        match s {
            ShellName::Bash => Shell::Bash,
            ShellName::Zsh => Shell::Zsh,
            ShellName::Fish => Shell::Fish,
            ShellName::Powershell => Shell::PowerShell,
            ShellName::Elvish => Shell::Elvish,
        }
    }
}

/// Writes the script for `args.shell` to standard output.
pub fn run(args: CompletionsArgs, mut cli: clap::Command) -> anyhow::Result<()> {
    let name = cli.get_name().to_string();
    // Into memory first: `generate` panics when its writer fails (a closed
    // pipe, a full disk); the one output writer reports those.
    let mut script = Vec::new();
    clap_complete::generate(Shell::from(args.shell), &mut cli, name, &mut script);
    graftwatch_output::write("-".as_ref(), &script, graftwatch_output::Overwrite::Replace)
        .map_err(crate::exit::input)?;
    Ok(())
}
