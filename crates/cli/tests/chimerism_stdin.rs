//! `-` for standard input in the table arguments of `chimerism str` (one
//! peak table) and `chimerism ngs` (one VCF/BCF): the stream is read once
//! and every `-` input names a sample of it; results equal those of the
//! same file named on the command line; errors name `<stdin>`.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs graftwatch from the repository root with `input` on standard input.
fn run_with_stdin(args: &[&str], input: &[u8]) -> (Output, u32) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_graftwatch"))
        .current_dir(root())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run graftwatch");
    let pid = child.id();
    let mut stdin = child.stdin.take().expect("stdin");
    let data = input.to_vec();
    // Written from a thread: a large input must not block on a full pipe
    // while the child writes its output.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&data);
    });
    let out = child.wait_with_output().expect("wait");
    writer.join().expect("writer");
    (out, pid)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn read(p: &str) -> Vec<u8> {
    std::fs::read(root().join(p)).expect("example file")
}

/// Runs `file_args` (empty standard input) and `stdin_args` (the file
/// `input` on standard input); asserts that both succeed with the same
/// output. Returns that output and the process id of the second run.
fn same_as_file(file_args: &[String], stdin_args: &[String], input: &str) -> (String, u32) {
    let fa: Vec<&str> = file_args.iter().map(String::as_str).collect();
    let sa: Vec<&str> = stdin_args.iter().map(String::as_str).collect();
    let (f, _) = run_with_stdin(&fa, b"");
    let (s, pid) = run_with_stdin(&sa, &read(input));
    assert!(f.status.success(), "{}", text(&f.stderr));
    assert!(s.status.success(), "{}", text(&s.stderr));
    assert_eq!(text(&s.stdout), text(&f.stdout));
    (text(&s.stdout), pid)
}

const SAMPLES: [&str; 4] = [
    "--sample",
    "PB-d30-CD3=examples/str/day30.txt:PB-d30-CD3:cd3:2024-05-29",
    "--sample",
    "PB-d30-CD33=examples/str/day30.txt:PB-d30-CD33:myeloid:2024-05-29",
];

#[test]
fn str_references_from_stdin_give_the_file_result() {
    let by_file = |refs: &str| {
        vec![
            "chimerism".to_string(),
            "str".into(),
            "--recipient".into(),
            format!("R-pre={refs}:R-pre"),
            "--donor".into(),
            format!("UCB-1={refs}:UCB-1"),
            "--donor".into(),
            format!("PBSC-1={refs}:PBSC-1"),
        ]
    };
    let mut file_args = by_file("examples/str/references.txt");
    let mut stdin_args = by_file("-");
    for a in [&mut file_args, &mut stdin_args] {
        a.extend(SAMPLES.iter().map(|s| s.to_string()));
        a.extend(["--format".into(), "csv".into()]);
    }
    let (out, _) = same_as_file(&file_args, &stdin_args, "examples/str/references.txt");
    assert!(out.contains("PB-d30-CD3"));
}

#[test]
fn str_samples_from_stdin_are_named_stdin() {
    let args = [
        "chimerism",
        "str",
        "--recipient",
        "R-pre=examples/str/references.txt:R-pre",
        "--donor",
        "UCB-1=examples/str/references.txt:UCB-1",
        "--donor",
        "PBSC-1=examples/str/references.txt:PBSC-1",
        "--sample",
        "PB-d30-CD3=-:PB-d30-CD3:cd3",
        "--sample",
        "PB-d30-CD33=-:PB-d30-CD33:myeloid",
    ];
    let (o, _) = run_with_stdin(&args, &read("examples/str/day30.txt"));
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(
        out.contains("Sample 'PB-d30-CD3' (<stdin>, T cells (CD3+)")
            && out.contains("Sample 'PB-d30-CD33' (<stdin>, myeloid"),
        "{out}"
    );
}

#[test]
fn str_bad_stdin_is_exit_2_naming_stdin() {
    let args = [
        "chimerism",
        "str",
        "--recipient",
        "R-pre=-:R-pre",
        "--donor",
        "UCB-1=-:UCB-1",
        "--sample",
        "S=examples/str/day30.txt:PB-d30-CD3",
    ];
    for (input, needle) in [
        (&b""[..], "<stdin>"),
        (&b"Sample Name\tMarker\tAllele 1\tHeight 1\n"[..], "<stdin>"),
        (&read("examples/str/day30.txt")[..], "R-pre"),
    ] {
        let (o, _) = run_with_stdin(&args, input);
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(
            err.contains(needle) && err.contains("<stdin>"),
            "'{needle}' / <stdin> not in: {err}"
        );
        assert!(o.stdout.is_empty());
    }
}

fn ngs_args(input: &str) -> Vec<String> {
    let mut a: Vec<String> = [
        "chimerism",
        "ngs",
        "--panel",
        "examples/ngs/panel.vcf",
        "--format",
        "tsv",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for (opt, spec) in [
        ("--recipient", "recipient"),
        ("--donor", "pbsc"),
        ("--donor", "ucb1"),
        ("--sample", "day30"),
    ] {
        a.push(opt.into());
        a.push(format!("{spec}={input}"));
    }
    a
}

fn spool_dirs(pid: u32) -> Vec<String> {
    std::fs::read_dir(std::env::temp_dir())
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with(&format!("graftwatch-stdin-{pid}-")))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn ngs_vcf_from_stdin_gives_the_file_result_and_leaves_no_copy() {
    let (_, pid) = same_as_file(
        &ngs_args("examples/ngs/pileup.vcf"),
        &ngs_args("-"),
        "examples/ngs/pileup.vcf",
    );
    assert!(spool_dirs(pid).is_empty(), "{:?}", spool_dirs(pid));
}

#[test]
fn ngs_bad_stdin_is_exit_2_naming_stdin() {
    let mut a = ngs_args("-");
    a.push("--sample".into());
    a.push("x=-:nobody".into());
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let (o, pid) = run_with_stdin(&a, &read("examples/ngs/pileup.vcf"));
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("<stdin>") && err.contains("nobody") && !err.contains("graftwatch-stdin"),
        "{err}"
    );
    assert!(spool_dirs(pid).is_empty());
    let (o, _) = run_with_stdin(&a, b"");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("<stdin>"), "{}", text(&o.stderr));
}
