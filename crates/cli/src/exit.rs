//! Exit codes and error rendering: bad input is 2, an internal error
//! (a panic, a broken invariant) is 1 with a request to report it, any
//! other failure (the disk is full, stdout is closed) is 1.
//!
//! Library errors reach this module whole: [`input`] wraps one as bad input
//! without flattening it to a string, so its `source()` chain and its typed
//! diagnostics (file, line, JSON path, field, value, expectation) are
//! rendered here, once, for a person (`--error-format human`, the default)
//! or as one JSON object per diagnostic (`--error-format json`, for LIMS
//! and EHR integrations; see docs/errors.md).

use std::error::Error as StdError;
use std::fmt;
use std::io::Write;
use std::process::ExitCode;
use std::sync::OnceLock;

use graftwatch_course::diagnostic::{Diagnostic, Location, Severity};

/// Marks an error message written by the CLI itself (about an argument, a
/// file name, a combination of options) as bad input (exit code 2).
/// Library errors are wrapped with [`input`] instead, which keeps them.
#[derive(Debug)]
pub struct BadInput(pub String);

impl fmt::Display for BadInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl StdError for BadInput {}

/// A library error caused by the input (exit 2), kept as it is: the
/// renderer walks its `source()` chain and reads its diagnostics.
#[derive(Debug)]
pub struct InputError {
    /// What the CLI was doing, e.g. `--add-to course.json` (printed first).
    context: Option<String>,
    error: Box<dyn StdError + Send + Sync + 'static>,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.error.to_string();
        match &self.context {
            // The path (or option) is printed once.
            Some(c) if text.contains(c.as_str()) => f.write_str(&text),
            // A list of diagnostics starts on its own line.
            Some(c) if text.contains('\n') || text.starts_with("error: ") => {
                write!(f, "{c}:\n{text}")
            }
            Some(c) => write!(f, "{c}: {text}"),
            None => f.write_str(&text),
        }
    }
}

impl StdError for InputError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(self.error.as_ref())
    }
}

/// An internal error: a bug in graftwatch, not a problem of the input
/// (exit 1, with a request to report it), with the error that revealed it.
#[derive(Debug)]
pub struct Internal {
    message: String,
    source: Option<Box<dyn StdError + Send + Sync + 'static>>,
}

impl Internal {
    /// An internal error described by `message`.
    pub fn new(message: impl Into<String>) -> Internal {
        Internal {
            message: message.into(),
            source: None,
        }
    }
}

impl fmt::Display for Internal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl StdError for Internal {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn StdError + 'static))
    }
}

/// An internal error (exit 1, request to report) caused by `error`.
pub fn internal<E: StdError + Send + Sync + 'static>(
    message: impl Into<String>,
    error: E,
) -> anyhow::Error {
    anyhow::Error::new(Internal {
        message: message.into(),
        source: Some(Box::new(error)),
    })
}

/// Several course files checked at once (`course validate`): every
/// diagnostic of every file, typed, under one summary line.
#[derive(Debug)]
pub struct Diagnostics {
    /// E.g. "2 of 3 course files are invalid".
    pub summary: String,
    /// The problems, each naming its file.
    pub diagnostics: Vec<Diagnostic>,
    /// Problems without a location (unreadable file, unknown file type).
    pub others: Vec<Box<dyn StdError + Send + Sync + 'static>>,
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:", self.summary)?;
        for d in self
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
        {
            write!(f, "\n{d}")?;
        }
        for o in &self.others {
            write!(f, "\nerror: {o}")?;
        }
        Ok(())
    }
}

impl StdError for Diagnostics {}

/// Wraps a library error as bad input (exit 2), keeping it whole; a
/// write the system could not complete (a full disk or quota, a file too
/// large) is not the input's fault and stays exit 1 (docs/errors.md).
pub fn input<E: StdError + Send + Sync + 'static>(error: E) -> anyhow::Error {
    if write_failed(&error) {
        return anyhow::Error::new(error);
    }
    anyhow::Error::new(InputError {
        context: None,
        error: Box::new(error),
    })
}

/// Whether an error (or a cause of it) is a write the system could not
/// complete: no space left, quota exceeded, file too large, nothing
/// written.
fn write_failed(e: &(dyn StdError + 'static)) -> bool {
    use std::io::ErrorKind as K;
    let mut cause = Some(e);
    while let Some(c) = cause {
        if let Some(io) = c.downcast_ref::<std::io::Error>()
            && matches!(
                io.kind(),
                K::StorageFull | K::QuotaExceeded | K::FileTooLarge | K::WriteZero
            )
        {
            return true;
        }
        cause = c.source();
    }
    false
}

/// [`input`] with what the CLI was doing, printed before the error
/// (`--kit my.json: …`); the error itself is kept whole.
pub fn input_in<E: StdError + Send + Sync + 'static>(
    context: impl fmt::Display,
    error: E,
) -> anyhow::Error {
    anyhow::Error::new(InputError {
        context: Some(context.to_string()),
        error: Box::new(error),
    })
}

/// How diagnostics are printed on standard error.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ErrorFormat {
    /// `error: FILE: line N, $.path: field 'f': value 'v': expectation`, at
    /// most 50 lines then a count.
    #[default]
    Human,
    /// One JSON object per line and per diagnostic: severity, file, line,
    /// json_path, column, field, value, expected, message.
    Json,
}

static FORMAT: OnceLock<ErrorFormat> = OnceLock::new();

/// Sets the format for the whole run (called once by `main`).
pub fn set_format(f: ErrorFormat) {
    let _ = FORMAT.set(f);
}

/// The format chosen on the command line.
pub fn format() -> ErrorFormat {
    FORMAT.get().copied().unwrap_or_default()
}

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
        let is_warning = line.starts_with("warning: ");
        if (i == 0 || !line.starts_with(' ')) && !is_warning {
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

/// The exit class of an error, from its chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitClass {
    /// The input is wrong: exit 2.
    BadInput,
    /// A bug in graftwatch: exit 1 with a request to report it.
    Internal,
    /// Anything else (I/O of the machine): exit 1.
    Failure,
}

/// Classifies an error by the markers in its chain (an internal marker wins).
pub fn class_of(e: &anyhow::Error) -> ExitClass {
    if e.chain().any(|c| c.is::<Internal>()) {
        ExitClass::Internal
    } else if e
        .chain()
        .any(|c| c.is::<BadInput>() || c.is::<InputError>() || c.is::<Diagnostics>())
    {
        ExitClass::BadInput
    } else {
        ExitClass::Failure
    }
}

/// The request printed after an internal error.
pub const REPORT_REQUEST: &str = "this is a bug in graftwatch, not a problem of your input: please report it with the command line and, if you can, the input files";

/// The human rendering of an error: the message (capped), then each cause
/// not already contained in what was printed.
pub fn render_human(e: &anyhow::Error) -> String {
    let first = e.to_string();
    let mut out = render(&first);
    let mut shown = first;
    for cause in e.chain().skip(1) {
        let text = cause.to_string();
        // A cause already contained in what was printed adds nothing (an
        // OS error number alone adds nothing either).
        let plain = graftwatch_course::diagnostic::without_os_error(&text);
        // An OS error already said in words ("not UTF-8 text: …").
        let worded = cause
            .downcast_ref::<std::io::Error>()
            .map(graftwatch_course::diagnostic::io_words);
        if !shown.contains(plain) && !worded.is_some_and(|w| shown.contains(&w)) {
            out.push_str(&format!("  caused by: {text}\n"));
            shown.push_str(&text);
        }
    }
    if class_of(e) == ExitClass::Internal {
        out.push_str(&format!("error: {REPORT_REQUEST}\n"));
    }
    out
}

/// One JSON diagnostic object (no line breaks inside).
fn diagnostic_json(d: &Diagnostic) -> serde_json::Value {
    let (line, json_path, column) = match &d.location {
        Location::File => (None, None, None),
        Location::JsonPath { path, line } => (*line, Some(path.clone()), None),
        Location::CsvLine { line, column } => (Some(*line), None, column.clone()),
    };
    let severity = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    serde_json::json!({
        "severity": severity,
        "file": d.file.display().to_string(),
        "line": line,
        "json_path": json_path,
        "column": column,
        "field": d.field,
        "value": d.value,
        "expected": d.expected,
        "message": strip_severity(&d.to_string()),
    })
}

/// The message without its leading `error: ` / `warning: ` (the
/// `severity` key says it).
fn strip_severity(m: &str) -> String {
    m.strip_prefix("error: ")
        .or_else(|| m.strip_prefix("warning: "))
        .unwrap_or(m)
        .to_string()
}

/// A JSON object for an error without typed diagnostics: the place its
/// message starts with ([`located`]), completed by what a typed reader
/// error in its chain knows ([`Known`]: the file, line and column when the
/// message does not start with them, the value and the expectation).
fn message_json(
    severity: &str,
    message: &str,
    causes: &[String],
    known: &Known,
) -> serde_json::Value {
    let (file, line, column) = located(message);
    let (file, line, column) = match file {
        Some(f) => (Some(f.to_string()), line, column.map(str::to_string)),
        None => (known.file.clone(), known.line, known.column.clone()),
    };
    serde_json::json!({
        "severity": severity,
        "file": file,
        "line": line,
        "json_path": null,
        "column": column,
        "field": null,
        "value": known.value,
        "expected": known.expected,
        "message": message,
        "causes": causes,
    })
}

/// What a typed reader error knows of its place and value, for
/// `--error-format json` (a message alone gives only its leading place).
#[derive(Debug, Default, PartialEq)]
struct Known {
    file: Option<String>,
    line: Option<usize>,
    column: Option<String>,
    value: Option<String>,
    expected: Option<String>,
}

/// [`Known`] from the first peak-table or run-sheet reader error in the
/// chain.
fn known_in(e: &anyhow::Error) -> Known {
    use graftwatch_genomics_io::genemapper::GeneMapperError as G;
    use graftwatch_genomics_io::run_sheet::RunSheetError as S;
    if let Some(S::Cell {
        file,
        line,
        column,
        value,
        reason,
    }) = e.chain().find_map(|c| c.downcast_ref::<S>())
    {
        return Known {
            file: Some(file.clone()),
            line: Some(*line),
            column: Some(column.to_string()),
            value: Some(value.clone()),
            expected: Some(reason.clone()),
        };
    }
    if let Some(S::Truncated { file, line, .. }) = e.chain().find_map(|c| c.downcast_ref::<S>()) {
        return Known {
            file: Some(file.clone()),
            line: Some(*line),
            ..Known::default()
        };
    }
    if let Some(k) = known_in_ngs(e) {
        return k;
    }
    match e.chain().find_map(|c| c.downcast_ref::<G>()) {
        Some(g) => known_in_peak_table(g),
        None => Known::default(),
    }
}

/// [`Known`] of an NGS panel or VCF/BCF reader error (directly in the
/// chain, or inside the NGS run's error, which shows it transparently).
fn known_in_ngs(e: &anyhow::Error) -> Option<Known> {
    use graftwatch_genomics_io::ngs_run::NgsRunError as N;
    use graftwatch_genomics_io::panel::PanelError as P;
    use graftwatch_genomics_io::vcf_ad::VcfAdError as V;
    let run = e.chain().find_map(|c| c.downcast_ref::<N>());
    let vcf = e.chain().find_map(|c| c.downcast_ref::<V>()).or(match run {
        Some(N::Vcf(v)) => Some(v.as_ref()),
        _ => None,
    });
    let panel = e.chain().find_map(|c| c.downcast_ref::<P>()).or(match run {
        Some(N::Panel(p)) => Some(p.as_ref()),
        _ => None,
    });
    let at = |path: &std::path::Path, line: Option<usize>, expected: Option<&String>| Known {
        file: Some(path.display().to_string()),
        line,
        expected: expected.cloned(),
        ..Known::default()
    };
    if let Some(v) = vcf {
        return Some(match v {
            V::Format {
                path,
                line,
                message,
            } => at(path, Some(*line), Some(message)),
            V::Truncated {
                path,
                line,
                message,
                ..
            } => at(path, Some(*line), Some(message)),
            V::Io { path, .. }
            | V::SampleNotFound { path, .. }
            | V::Header { path, .. }
            | V::NoAd { path, .. }
            | V::BcfRecord { path, .. } => at(path, None, None),
        });
    }
    panel.map(|p| match p {
        P::Format {
            path,
            line,
            message,
        } => at(path, Some(*line), Some(message)),
        P::Io { path, .. } | P::Empty { path, .. } => at(path, None, None),
    })
}

/// [`Known`] of a peak-table reader error.
fn known_in_peak_table(g: &graftwatch_genomics_io::genemapper::GeneMapperError) -> Known {
    use graftwatch_genomics_io::genemapper::GeneMapperError as G;
    let k = |file: &str, line: Option<usize>, column: Option<&str>| Known {
        file: Some(file.to_string()),
        line,
        column: column.map(str::to_string),
        ..Known::default()
    };
    match g {
        G::Field {
            path,
            line,
            column,
            value,
            expected,
        } => Known {
            value: Some(value.clone()),
            expected: Some(expected.clone()),
            ..k(path, Some(*line), Some(column))
        },
        G::UnknownMarker {
            path,
            line,
            column,
            value,
            known,
        } => Known {
            value: Some(value.clone()),
            expected: Some(format!("a known STR marker: {known}")),
            ..k(path, Some(*line), Some(column))
        },
        G::SampleNotFound {
            path,
            sample,
            available,
        } => Known {
            value: Some(sample.clone()),
            expected: Some(format!("one of the samples in the file: {available}")),
            ..k(path, None, None)
        },
        G::AmbiguousSample {
            path,
            sample,
            files,
            ..
        } => Known {
            value: Some(sample.clone()),
            expected: Some(format!("one of the sample file names {files}")),
            ..k(path, None, None)
        },
        G::MissingColumn {
            path,
            line,
            column,
            expected,
            ..
        } => Known {
            expected: Some(expected.clone()),
            ..k(path, Some(*line), Some(column))
        },
        G::Duplicate { path, line, .. }
        | G::FieldCount { path, line, .. }
        | G::NoRows { path, line }
        | G::Truncated { path, line, .. }
        | G::Encoding { path, line, .. } => k(path, Some(*line), None),
        G::Empty { path } | G::Io { path, .. } => k(path, None, None),
    }
}

/// The place a reader's message starts with, in the one form every
/// lab-file reader writes (`FILE: line N, column 'C': …`, `FILE: line N:
/// …`): file, line and column for `--error-format json`, where the error
/// is a message rather than a typed diagnostic.
fn located(message: &str) -> (Option<&str>, Option<usize>, Option<&str>) {
    let Some(i) = message.find(": line ") else {
        return (None, None, None);
    };
    let file = &message[..i];
    let rest = &message[i + ": line ".len()..];
    let digits = rest.chars().take_while(char::is_ascii_digit).count();
    let (Ok(line), false) = (rest[..digits].parse::<usize>(), file.contains(": ")) else {
        return (None, None, None);
    };
    let column = rest[digits..]
        .strip_prefix(", column '")
        .and_then(|c| c.split_once('\''))
        .map(|(c, _)| c);
    (Some(file), Some(line), column)
}

/// The typed diagnostics found in an error's chain, if any.
fn diagnostics_in(e: &anyhow::Error) -> Option<(Vec<&Diagnostic>, Vec<String>)> {
    for c in e.chain() {
        if let Some(d) = c.downcast_ref::<Diagnostics>() {
            let others = d.others.iter().map(|o| o.to_string()).collect();
            return Some((d.diagnostics.iter().collect(), others));
        }
        if let Some(ce) = c.downcast_ref::<graftwatch_course::CourseError>()
            && !ce.diagnostics().is_empty()
        {
            return Some((ce.diagnostics().iter().collect(), Vec::new()));
        }
    }
    None
}

/// The JSON rendering: one object per line and per diagnostic; an error
/// without typed diagnostics is one object with its message and causes.
pub fn render_json(e: &anyhow::Error) -> String {
    let mut lines: Vec<serde_json::Value> = Vec::new();
    match diagnostics_in(e) {
        Some((diags, others)) => {
            lines.extend(diags.into_iter().map(diagnostic_json));
            lines.extend(
                others
                    .iter()
                    .map(|o| message_json("error", o, &[], &Known::default())),
            );
        }
        None => {
            let message = e.to_string();
            let causes: Vec<String> = e
                .chain()
                .skip(1)
                .map(|c| c.to_string())
                .filter(|t| !message.contains(t.as_str()))
                .collect();
            lines.push(message_json("error", &message, &causes, &known_in(e)));
        }
    }
    if class_of(e) == ExitClass::Internal {
        lines.push(message_json(
            "error",
            REPORT_REQUEST,
            &[],
            &Known::default(),
        ));
    }
    let mut out = String::new();
    for l in lines {
        out.push_str(&l.to_string());
        out.push('\n');
    }
    out
}

/// Prints plain warnings that have no file place (`warning: WHERE: text`),
/// one per line, on stderr.
pub fn print_notes(place: &str, notes: &[String]) {
    let stderr = std::io::stderr();
    let mut err = stderr.lock();
    for n in notes {
        let _ = writeln!(err, "warning: {place}: {n}");
    }
}

/// Prints warnings (valid but implausible values) in the chosen format.
pub fn print_warnings<'a>(warnings: impl IntoIterator<Item = &'a Diagnostic>) {
    let stderr = std::io::stderr();
    let mut err = stderr.lock();
    for w in warnings {
        let _ = match format() {
            ErrorFormat::Human => writeln!(err, "{w}"),
            ErrorFormat::Json => writeln!(err, "{}", diagnostic_json(w)),
        };
    }
}

/// The exit code after standard output was closed by its reader (as in
/// `graftwatch audit show | head -1`): 128 + SIGPIPE, what a shell reports
/// for a program ended by a broken pipe.
pub const BROKEN_PIPE_EXIT: u8 = 141;

static BROKEN_PIPE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether writing to standard output (or error) failed because its reader
/// went away (then the command ends quietly with [`BROKEN_PIPE_EXIT`]).
pub fn broken_pipe() -> bool {
    BROKEN_PIPE.load(std::sync::atomic::Ordering::Relaxed)
}

/// Whether an error is a write into a closed pipe.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Whether a panic message is a write into a closed pipe: `println!`'s,
/// or a library's (`clap_complete` writes with `expect`).
fn is_broken_pipe_panic(message: &str) -> bool {
    (message.starts_with("failed printing to std") || message.starts_with("failed to write"))
        && (message.contains("Broken pipe")
            || message.contains("os error 32")
            || message.contains("BrokenPipe"))
}

/// Prints the error in the chosen format and returns the exit code.
pub fn report(result: anyhow::Result<()>) -> ExitCode {
    if broken_pipe() {
        return ExitCode::from(BROKEN_PIPE_EXIT);
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if is_broken_pipe(&e) => ExitCode::from(BROKEN_PIPE_EXIT),
        Err(e) => {
            let text = match format() {
                ErrorFormat::Human => render_human(&e),
                ErrorFormat::Json => render_json(&e),
            };
            eprint!("{text}");
            match class_of(&e) {
                ExitClass::BadInput => ExitCode::from(2),
                ExitClass::Internal | ExitClass::Failure => ExitCode::from(1),
            }
        }
    }
}

/// A command line clap cannot parse: clap's own message and exit code, or
/// under `--error-format json` one JSON object (exit 2).
pub fn usage_error(e: clap::Error) -> ! {
    let args: Vec<String> = std::env::args().collect();
    let json = args.iter().any(|a| a == "--error-format=json")
        || args
            .windows(2)
            .any(|w| w[0] == "--error-format" && w[1] == "json");
    if json && e.use_stderr() {
        let text = e.render().to_string();
        let first = text.lines().next().unwrap_or_default();
        let message = first.strip_prefix("error: ").unwrap_or(first);
        eprintln!(
            "{}",
            message_json("error", &rust_words(message), &[], &Known::default())
        );
        std::process::exit(2);
    }
    let text = e.render().to_string();
    if e.use_stderr() && rust_words(&text) != text {
        eprint!("{}", rust_words(&text));
        std::process::exit(e.exit_code());
    }
    e.exit()
}

/// Rust's number-parsing messages, which clap passes on ("invalid value
/// 'abc' for '--from `<FROM>`': invalid digit found in string"), in words.
fn rust_words(text: &str) -> String {
    text.replace("invalid digit found in string", "expected a whole number")
        .replace(
            "number too large to fit in target type",
            "a number too large for this option",
        )
        .replace(
            "number too small to fit in target type",
            "a number too small for this option",
        )
        .replace("invalid float literal", "expected a number")
        .replace(
            "cannot parse integer from empty string",
            "expected a whole number, found nothing",
        )
}

/// Installs the panic handler: a panic anywhere (also in a worker thread)
/// is printed as an internal error with the request to report it, in the
/// chosen format, never as Rust's default panic text.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        // A CRAM decoder panic on a corrupt file is contained and reported
        // as an input error naming the file (`decoder_guard`).
        if graftwatch_genomics_io::decoder_guard::is_guarded() {
            return;
        }
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown cause".into());
        // The reader of standard output went away: not a bug; the command
        // ends quietly (`main` and `report` return BROKEN_PIPE_EXIT).
        if is_broken_pipe_panic(&what) {
            BROKEN_PIPE.store(true, std::sync::atomic::Ordering::Relaxed);
            return;
        }
        // `println!` could not write (a full disk behind `> file`): not a
        // bug; said in words, exit 1 (`main`).
        if let Some(cause) = what.strip_prefix("failed printing to stdout: ") {
            let e = anyhow::anyhow!("cannot write to standard output: {cause}");
            let text = match format() {
                ErrorFormat::Human => render_human(&e),
                ErrorFormat::Json => render_json(&e),
            };
            eprint!("{text}");
            return;
        }
        let place = info
            .location()
            .map(|l| format!(" ({}:{})", l.file(), l.line()))
            .unwrap_or_default();
        let e = anyhow::Error::new(Internal::new(format!("internal error: {what}{place}")));
        let text = match format() {
            ErrorFormat::Human => render_human(&e),
            ErrorFormat::Json => render_json(&e),
        };
        eprint!("{text}");
    }));
}

#[cfg(test)]
mod tests {

    #[test]
    fn reader_messages_give_their_place_to_json() {
        assert_eq!(
            located("in/x.txt: line 5, column 'Height': 'abc' is not a number"),
            (Some("in/x.txt"), Some(5), Some("Height"))
        );
        assert_eq!(
            located("a.vcf: line 12: AD is not a list"),
            (Some("a.vcf"), Some(12), None)
        );
        assert_eq!(located("no place here"), (None, None, None));
        assert_eq!(located("--add-to x: a: line z"), (None, None, None));
    }

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

    #[derive(Debug)]
    struct Outer(&'static str, std::io::Error);

    impl fmt::Display for Outer {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "outer {}", self.0)
        }
    }

    impl StdError for Outer {
        fn source(&self) -> Option<&(dyn StdError + 'static)> {
            Some(&self.1)
        }
    }

    #[test]
    fn wrapped_library_errors_keep_their_chain_and_class() {
        let io = std::io::Error::other("disk says no");
        let e = input_in("--kit k.json", Outer("x", io));
        assert_eq!(class_of(&e), ExitClass::BadInput);
        // The chain reaches the io::Error: InputError -> Outer -> io.
        let chain: Vec<String> = e.chain().map(|c| c.to_string()).collect();
        assert_eq!(chain.len(), 3, "{chain:?}");
        assert!(e.chain().any(|c| c.is::<Outer>()));
        let human = render_human(&e);
        assert!(
            human.starts_with("error: --kit k.json: outer x\n"),
            "{human}"
        );
        assert!(human.contains("caused by: disk says no"), "{human}");
        assert_eq!(human.matches("error:").count(), 1, "{human}");
    }

    #[test]
    fn internal_errors_ask_for_a_report_and_others_do_not() {
        let e = anyhow::Error::new(Internal::new("internal error: x"));
        assert_eq!(class_of(&e), ExitClass::Internal);
        assert!(render_human(&e).contains(REPORT_REQUEST));
        let e = anyhow::anyhow!("cannot write: no space");
        assert_eq!(class_of(&e), ExitClass::Failure);
        assert!(!render_human(&e).contains(REPORT_REQUEST));
        let e = anyhow::Error::new(BadInput("--on: bad".into()));
        assert_eq!(class_of(&e), ExitClass::BadInput);
    }

    #[test]
    fn json_gives_one_object_per_diagnostic() {
        let d = |line, sev| Diagnostic {
            severity: sev,
            file: "c.json".into(),
            location: Location::JsonPath {
                path: "$.observations[3].value".into(),
                line: Some(line),
            },
            field: Some("value".into()),
            value: Some("-4 10^9/L".into()),
            expected: "a non-negative ANC".into(),
        };
        let e = anyhow::Error::new(Diagnostics {
            summary: "1 of 1 course file is invalid".into(),
            diagnostics: vec![d(7, Severity::Error), d(9, Severity::Error)],
            others: vec![],
        });
        let out = render_json(&e);
        let objs: Vec<serde_json::Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
            .collect();
        assert_eq!(objs.len(), 2, "{out}");
        assert_eq!(objs[0]["line"], 7);
        assert_eq!(objs[1]["line"], 9);
        assert_eq!(objs[0]["json_path"], "$.observations[3].value");
        assert_eq!(objs[0]["field"], "value");
        assert_eq!(objs[0]["value"], "-4 10^9/L");
        assert_eq!(objs[0]["expected"], "a non-negative ANC");
        assert_eq!(objs[0]["severity"], "error");
        assert_eq!(objs[0]["file"], "c.json");
        let plain = render_json(&anyhow::Error::new(BadInput("--on: not a date".into())));
        let v: serde_json::Value = serde_json::from_str(plain.trim()).unwrap();
        assert_eq!(v["message"], "--on: not a date");
        assert!(v["file"].is_null());
    }
}
