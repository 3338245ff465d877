//! Renders a course file (.json or .csv) to HTML (and the figure alone to SVG):
//! `cargo run -p graftwatch-report --example render -- COURSE OUT.html [OUT.svg]`.
//! Used to look at the report while developing; the user-facing command is
//! `graftwatch demo --course FILE`.

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 2 {
        eprintln!("usage: render COURSE(.json|.csv) OUT.html [OUT.svg]");
        return ExitCode::from(2);
    }
    let loaded = match graftwatch_course::read_course(Path::new(&args[0])) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    for w in &loaded.warnings {
        eprintln!("{w}");
    }
    let html = graftwatch_report::render_report_html(&loaded.course);
    if let Err(e) = std::fs::write(&args[1], html) {
        eprintln!("error: {}: {e}", args[1]);
        return ExitCode::from(1);
    }
    if let Some(svg_path) = args.get(2)
        && let Err(e) = std::fs::write(
            svg_path,
            graftwatch_report::render_figure_svg(&loaded.course),
        )
    {
        eprintln!("error: {svg_path}: {e}");
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
