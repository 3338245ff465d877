//! `graftwatch course show FILE [--from DAY] [--to DAY] [--anchor hct|car-t|dli]`.

use std::io::Write;
use std::path::PathBuf;

use graftwatch_course::timeline::{AnchorChoice, TimelineOptions, render_timeline, timeline};

/// Which day 0 to count from.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum AnchorArg {
    /// Allogeneic transplant (first graft infusion).
    Hct,
    /// CAR-T infusion.
    #[value(name = "car-t")]
    CarT,
    /// Donor lymphocyte infusion.
    Dli,
}

/// Arguments of `course show`.
#[derive(clap::Args, Debug)]
pub struct ShowArgs {
    /// Course file (.json or .csv), or `-` for standard input.
    pub file: PathBuf,
    /// First day to show, relative to the anchor (e.g. -7).
    #[arg(long, allow_negative_numbers = true)]
    pub from: Option<i32>,
    /// Last day to show, relative to the anchor (e.g. 100).
    #[arg(long, allow_negative_numbers = true)]
    pub to: Option<i32>,
    /// Count days from this anchor (default: the latest HCT or CAR-T before each day; --from/--to then refer to the first HCT, else CAR-T, else DLI).
    #[arg(long, value_enum)]
    pub anchor: Option<AnchorArg>,
}

/// Prints the timeline.
pub fn run(args: ShowArgs) -> anyhow::Result<()> {
    let lc = super::course::read_input(&args.file)?;
    let opts = TimelineOptions {
        from: args.from,
        to: args.to,
        anchor: args.anchor.map(|a| match a {
            AnchorArg::Hct => AnchorChoice::Hct,
            AnchorArg::CarT => AnchorChoice::CarT,
            AnchorArg::Dli => AnchorChoice::Dli,
        }),
    };
    let days =
        timeline(&lc.course, &opts).map_err(|e| crate::exit::input_in(args.file.display(), e))?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    out.write_all(render_timeline(&lc.course, &days).as_bytes())?;
    crate::exit::print_warnings(&lc.warnings);
    Ok(())
}
