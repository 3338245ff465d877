//! Renders a JSON course file to HTML (and the figure alone to SVG):
//! `cargo run -p graftwatch-report --example render -- COURSE.json OUT.html [OUT.svg]`.
//! Used to look at the report while developing; the user-facing command is
//! `graftwatch demo --course FILE`.

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 2 {
        eprintln!("usage: render COURSE.json OUT.html [OUT.svg]");
        return ExitCode::from(2);
    }
    let text = match std::fs::read_to_string(&args[0]) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {}: {e}", args[0]);
            return ExitCode::from(2);
        }
    };
    let loaded = match graftwatch_course::io::read_json_str(&text, Path::new(&args[0])) {
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
