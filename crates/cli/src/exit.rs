//! Mapping errors to exit codes: bad input is 2, anything else 1.

use std::fmt;
use std::process::ExitCode;

/// Marks an error as caused by the user's input (exit code 2). Wrap library
/// errors that name a file/line/field in this before returning them.
#[derive(Debug)]
pub struct BadInput(pub String);

impl fmt::Display for BadInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BadInput {}

/// At most this many diagnostic lines are printed; the rest are counted.
pub const MAX_DIAGNOSTIC_LINES: usize = 50;

/// The message as printed: one `error:` prefix (library messages that carry
/// their own severity are not prefixed twice), at most
/// [`MAX_DIAGNOSTIC_LINES`] lines followed by how many were left out.
pub fn render(message: &str) -> String {
    let lines: Vec<&str> = message.lines().collect();
    let mut out = String::new();
    for (i, line) in lines.iter().take(MAX_DIAGNOSTIC_LINES).enumerate() {
        let line = line.strip_prefix("error: ").unwrap_or(line);
        if i == 0 || !line.starts_with(' ') {
            out.push_str("error: ");
        }
        out.push_str(line);
        out.push('\n');
    }
    if lines.len() > MAX_DIAGNOSTIC_LINES {
        let more = lines.len() - MAX_DIAGNOSTIC_LINES;
        out.push_str(&format!("error: ... and {more} more (not shown)\n"));
    }
    out
}

/// Prints the error chain and returns the exit code.
pub fn report(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let bad = e.chain().any(|c| c.is::<BadInput>());
            eprint!("{}", render(&e.to_string()));
            let mut shown = e.to_string();
            for cause in e.chain().skip(1) {
                let text = cause.to_string();
                // A cause already contained in what was printed adds nothing.
                if !cause.is::<BadInput>() && !shown.contains(&text) {
                    eprintln!("  caused by: {text}");
                    shown.push_str(&text);
                }
            }
            if bad {
                ExitCode::from(2)
            } else {
                ExitCode::from(1)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_error_prefix() {
        assert_eq!(render("error: a.json: line 1"), "error: a.json: line 1\n");
        assert_eq!(render("a.json: line 1"), "error: a.json: line 1\n");
    }

    #[test]
    fn long_lists_are_capped_with_a_count() {
        let msg: Vec<String> = (0..MAX_DIAGNOSTIC_LINES + 7)
            .map(|i| format!("error: f.csv: line {i}: bad"))
            .collect();
        let out = render(&msg.join("\n"));
        assert_eq!(out.lines().count(), MAX_DIAGNOSTIC_LINES + 1);
        assert!(
            out.ends_with("error: ... and 7 more (not shown)\n"),
            "{out}"
        );
        assert!(!out.contains("line 50:"));
        let exactly: Vec<String> = (0..MAX_DIAGNOSTIC_LINES).map(|i| format!("l{i}")).collect();
        assert!(!render(&exactly.join("\n")).contains("more"));
    }
}
