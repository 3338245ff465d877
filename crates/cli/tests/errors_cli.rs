//! Issue 15 / issue 10 at the command line: `--error-format json`, error
//! chains rendered once, `--force` for every `--out`, `-` for standard
//! input, a UTF-8 byte-order mark accepted in every text input, and an
//! example in every subcommand's `--help`.

mod cli_common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use cli_common::{assert_exit_2, fresh_dir, str_example, text};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

fn seed_json() -> PathBuf {
    Path::new(ROOT).join("examples/seed-case/course.json")
}

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_graftwatch"));
    c.current_dir(ROOT);
    c
}

fn gw(args: &[&str]) -> Output {
    bin().args(args).output().expect("run graftwatch")
}

/// `graftwatch --error-format json course validate FILE`.
fn validate_json(file: &str) -> Output {
    gw(&["--error-format", "json", "course", "validate", file])
}

/// Runs with `stdin` as standard input.
fn gw_stdin(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn graftwatch");
    // A command may exit before reading all of its input.
    let _ = child.stdin.take().expect("stdin").write_all(stdin);
    child.wait_with_output().expect("wait")
}

/// A fresh, empty directory unique to this test.
fn tmp(name: &str) -> PathBuf {
    fresh_dir("gw-errors", name)
}

/// The seed course with its first ANC made negative.
fn broken_course(dir: &Path) -> PathBuf {
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(seed_json()).unwrap()).unwrap();
    let obs = v["observations"].as_array_mut().unwrap();
    let anc = obs.iter_mut().find(|o| o["kind"] == "anc").unwrap();
    anc["value"] = serde_json::json!(-4);
    let p = dir.join("broken.json");
    std::fs::write(&p, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    p
}

fn json_lines(stderr: &[u8]) -> Vec<serde_json::Value> {
    text(stderr)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

#[test]
fn json_error_format_gives_one_object_per_diagnostic() {
    let d = tmp("json");
    let bad = broken_course(&d);
    let o = validate_json(bad.to_str().unwrap());
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    let objs = json_lines(&o.stderr);
    assert!(!objs.is_empty());
    let anc = objs
        .iter()
        .find(|v| v["field"] == "value" && v["severity"] == "error")
        .unwrap_or_else(|| panic!("no value error in {objs:?}"));
    for key in [
        "file",
        "line",
        "json_path",
        "field",
        "value",
        "expected",
        "message",
        "severity",
    ] {
        assert!(anc.get(key).is_some(), "{key} missing in {anc}");
    }
    assert_eq!(anc["file"], bad.to_str().unwrap());
    assert!(anc["line"].as_u64().unwrap() > 1, "{anc}");
    assert!(
        anc["json_path"]
            .as_str()
            .unwrap()
            .starts_with("$.observations["),
        "{anc}"
    );
    assert!(anc["value"].as_str().unwrap().starts_with("-4"), "{anc}");
    // The same run in human form: one `error:` line per problem.
    let h = gw(&["course", "validate", bad.to_str().unwrap()]);
    assert_eq!(h.status.code(), Some(2));
    assert!(text(&h.stderr).contains("error: "), "{}", text(&h.stderr));
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn json_error_format_for_unreadable_files_and_usage_errors() {
    for args in [
        vec!["--error-format", "json", "grade", "no-such-course.json"],
        vec!["--error-format=json", "grade", "--no-such-option"],
        vec![
            "report",
            "no-such.json",
            "--out",
            "x.html",
            "--error-format",
            "json",
        ],
    ] {
        let o = gw(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o.stderr));
        let objs = json_lines(&o.stderr);
        assert_eq!(objs.len(), 1, "{args:?}: {objs:?}");
        assert_eq!(objs[0]["severity"], "error");
        assert!(!objs[0]["message"].as_str().unwrap().is_empty());
    }
    assert!(!Path::new(ROOT).join("x.html").exists());
}

#[test]
fn warnings_are_json_too() {
    // A haemoglobin above the plausibility limit is kept with a warning.
    let d = tmp("warn");
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(seed_json()).unwrap()).unwrap();
    let obs = v["observations"].as_array_mut().unwrap();
    let hb = obs.iter_mut().find(|o| o["kind"] == "hemoglobin").unwrap();
    hb["value"] = serde_json::json!(30);
    let p = d.join("warn.json");
    std::fs::write(&p, serde_json::to_string(&v).unwrap()).unwrap();
    let o = validate_json(p.to_str().unwrap());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let objs = json_lines(&o.stderr);
    assert!(
        objs.iter()
            .any(|w| w["severity"] == "warning" && w["field"] == "value"),
        "{objs:?}"
    );
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn library_error_chains_are_printed_once_with_their_cause() {
    // A config file that is a directory: the OS error is the cause.
    let d = tmp("chain");
    let o = gw(&[
        "grade",
        seed_json().to_str().unwrap(),
        "--config",
        d.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert_eq!(err.matches("error:").count(), 1, "{err}");
    assert_eq!(err.matches(d.to_str().unwrap()).count(), 1, "{err}");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn report_refuses_to_replace_without_force() {
    let d = tmp("force");
    let out = d.join("r.html");
    std::fs::write(&out, "previous").unwrap();
    let seed = seed_json();
    let args = [
        "report",
        seed.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    let o = gw(&args);
    assert_exit_2(&o, &["--force"]);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "previous");
    let mut forced = args.to_vec();
    forced.push("--force");
    let o = gw(&forced);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .starts_with("<!DOCTYPE html>")
    );
    // A new file needs no --force.
    let fresh = d.join("new.svg");
    let o = gw(&[
        "report",
        seed.to_str().unwrap(),
        "--out",
        fresh.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn report_to_standard_output_keeps_stdout_for_the_report() {
    let seed = seed_json();
    let o = gw(&[
        "report",
        seed.to_str().unwrap(),
        "--format",
        "json",
        "--out",
        "-",
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("stdout is the JSON");
    assert!(v.is_object());
    assert!(text(&o.stderr).contains("wrote -"), "{}", text(&o.stderr));
    assert!(!Path::new(ROOT).join("-").exists());
}

#[test]
fn chimerism_html_refuses_to_replace_without_force() {
    let d = tmp("html");
    let html = d.join("str.html");
    std::fs::write(&html, "previous").unwrap();
    let mut args = str_example("PB-d14-WB=examples/str/day14.txt:PB-d14-WB:whole_blood:2024-05-13");
    args.extend(["--html", html.to_str().unwrap()]);
    let o = gw(&args);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert_eq!(std::fs::read_to_string(&html).unwrap(), "previous");
    assert!(o.stdout.is_empty(), "nothing printed before the refusal");
    let mut forced = args.to_vec();
    forced.push("--force");
    let o = gw(&forced);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_ne!(std::fs::read_to_string(&html).unwrap(), "previous");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn add_to_keeps_the_previous_version_as_a_backup() {
    let d = tmp("addto");
    let course = d.join("c.json");
    std::fs::copy(seed_json(), &course).unwrap();
    let before = std::fs::read(&course).unwrap();
    let mut args = str_example("PB-d14-WB=examples/str/day14.txt:PB-d14-WB:whole_blood:2024-05-13");
    args.extend(["--add-to", course.to_str().unwrap()]);
    let o = gw(&args);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(std::fs::read(d.join("c.json.bak")).unwrap(), before);
    // Idempotent: a second run gives the same course.
    let once = std::fs::read(&course).unwrap();
    let o = gw(&args);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(std::fs::read(&course).unwrap(), once);
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn standard_input_for_course_commands() {
    let json = std::fs::read(seed_json()).unwrap();
    let csv = std::fs::read(Path::new(ROOT).join("examples/seed-case/course.csv")).unwrap();
    for (args, input) in [
        (vec!["course", "validate", "-"], &json),
        (vec!["course", "validate", "-"], &csv),
        (
            vec!["course", "show", "-", "--from", "0", "--to", "3"],
            &json,
        ),
        (vec!["grade", "-", "--format", "json"], &csv),
        (vec!["decide", "-"], &json),
        (vec!["report", "-", "--format", "json", "--out", "-"], &json),
    ] {
        let o = gw_stdin(&args, input);
        assert!(o.status.success(), "{args:?}: {}", text(&o.stderr));
        assert!(!o.stdout.is_empty(), "{args:?}");
    }
    let o = gw_stdin(&["course", "validate", "-"], b"{\"format\": 1}");
    assert_exit_2(&o, &["<stdin>"]);
    let out = tmp("stdin-convert").join("from-stdin.json");
    let o = gw_stdin(&["course", "convert", "-", out.to_str().unwrap()], &csv);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(
        text(&o.stdout).starts_with("standard input -> "),
        "{}",
        text(&o.stdout)
    );
    let back = gw(&["course", "validate", out.to_str().unwrap()]);
    assert!(back.status.success(), "{}", text(&back.stderr));
}

#[test]
fn byte_order_mark_accepted_in_json_csv_and_toml() {
    let d = tmp("bom");
    let bom = |name: &str, body: &[u8]| {
        let p = d.join(name);
        let mut v = b"\xef\xbb\xbf".to_vec();
        v.extend_from_slice(body);
        std::fs::write(&p, v).unwrap();
        p
    };
    let json = bom("c.json", &std::fs::read(seed_json()).unwrap());
    let csv = bom(
        "c.csv",
        &std::fs::read(Path::new(ROOT).join("examples/seed-case/course.csv")).unwrap(),
    );
    let cfg = gw(&["config", "print"]);
    assert!(cfg.status.success());
    let toml = bom("g.toml", &cfg.stdout);
    for c in [&json, &csv] {
        let o = gw(&["course", "validate", c.to_str().unwrap()]);
        assert!(o.status.success(), "{}: {}", c.display(), text(&o.stderr));
    }
    let o = gw(&[
        "grade",
        json.to_str().unwrap(),
        "--config",
        toml.to_str().unwrap(),
        "--on",
        "+30",
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    // Lab files: the NGS panel and allele-count VCF, the STR peak tables.
    let lab = |rel: &str| {
        let name = rel.replace('/', "_");
        bom(&name, &std::fs::read(Path::new(ROOT).join(rel)).unwrap())
            .to_str()
            .unwrap()
            .to_string()
    };
    let (panel, pileup) = (
        lab("examples/ngs/panel.vcf"),
        lab("examples/ngs/pileup.vcf"),
    );
    let o = gw(&[
        "chimerism",
        "ngs",
        "--panel",
        &panel,
        "--recipient",
        &format!("recipient={pileup}"),
        "--donor",
        &format!("pbsc={pileup}"),
        "--donor",
        &format!("ucb1={pileup}"),
        "--sample",
        &format!("day30={pileup}"),
    ]);
    assert!(o.status.success(), "ngs: {}", text(&o.stderr));
    let (refs, day14) = (
        lab("examples/str/references.txt"),
        lab("examples/str/day14.txt"),
    );
    let o = gw(&[
        "chimerism",
        "str",
        "--recipient",
        &format!("R={refs}:R-pre"),
        "--donor",
        &format!("UCB-1={refs}:UCB-1"),
        "--donor",
        &format!("PBSC-1={refs}:PBSC-1"),
        "--sample",
        &format!("d14={day14}:PB-d14-WB"),
    ]);
    assert!(o.status.success(), "str: {}", text(&o.stderr));
    let _ = std::fs::remove_dir_all(&d);
}

/// The subcommands listed in a help text's "Commands:" section.
fn subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| *n != "help")
        .map(str::to_string)
        .collect()
}

#[test]
fn every_subcommand_help_has_an_example() {
    let mut queue: Vec<Vec<String>> = vec![vec![]];
    let mut seen = 0;
    while let Some(path) = queue.pop() {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let o = gw(&args);
        assert!(o.status.success(), "{args:?}");
        let help = text(&o.stdout);
        assert!(help.contains("Example"), "{args:?} has no example:\n{help}");
        seen += 1;
        for sub in subcommands(&help) {
            let mut p = path.clone();
            p.push(sub);
            queue.push(p);
        }
    }
    assert!(seen >= 30, "only {seen} commands walked");
}

/// docs/errors.md's example is the output of the command it shows.
#[test]
fn docs_error_format_example_is_what_the_command_prints() {
    let doc = std::fs::read_to_string(Path::new(ROOT).join("docs/errors.md")).unwrap();
    let begin = "<!-- errors-example:begin -->\n```json\n";
    let a = doc.find(begin).expect("example begin marker") + begin.len();
    let b = doc[a..]
        .find("```\n<!-- errors-example:end -->")
        .expect("end marker")
        + a;
    let o = validate_json("docs/examples/course-invalid.json");
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(text(&o.stderr), &doc[a..b]);
}

/// Audit 2026-12-06: a full disk behind standard output (`> /dev/full`)
/// read "internal error: failed printing to stdout … this is a bug"; it is
/// exit 1 with the system's reason in words, for `println!` writers and
/// for the output writer alike, and never "bad input" (exit 2). A closed
/// pipe on `completions` ended as a panic with Rust's `Os { … }` text; it
/// ends quietly (141).
#[test]
fn a_full_disk_is_exit_1_in_words_and_a_closed_pipe_is_quiet() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        return; // not Linux
    };
    let seed = seed_json().display().to_string();
    for args in [
        vec!["decide", seed.as_str()],
        vec!["config", "print"],
        vec!["man"],
        vec!["completions", "bash"],
        vec!["report", seed.as_str(), "--out", "-"],
    ] {
        let o = bin()
            .args(&args)
            .stdout(full.try_clone().unwrap())
            .output()
            .unwrap();
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {err}");
        assert!(
            err.contains("cannot write to standard output: No space left on device"),
            "{args:?}: {err}"
        );
        assert!(
            !err.contains("internal error") && !err.contains("bug"),
            "{args:?}: {err}"
        );
    }
    let o = bin()
        .args(["report", &seed, "--out", "/dev/full", "--force"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let mut child = bin()
        .args(["completions", "bash"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    assert!(
        matches!(o.status.code(), Some(0 | 141)),
        "{:?} {}",
        o.status,
        text(&o.stderr)
    );
    assert!(o.stderr.is_empty(), "{}", text(&o.stderr));
}

/// Audit 2026-12-06: `--error-format json` gave `"file": null, "line":
/// null` for every NGS reader error, and a bad AD read "(invalid digit
/// found in string)". Both the file and line are filled, in words.
#[test]
fn ngs_reader_errors_give_file_and_line_to_json_in_words() {
    let dir = tmp("ngs-json");
    let vcf = std::fs::read_to_string(Path::new(ROOT).join("examples/ngs/pileup.vcf")).unwrap();
    let bad = vcf.replacen("1/1:0,4982:4982", "1/1:0,4.5:4982", 1);
    assert_ne!(bad, vcf);
    let path = dir.join("bad.vcf");
    std::fs::write(&path, bad).unwrap();
    let p = path.display().to_string();
    let o = gw(&[
        "--error-format",
        "json",
        "chimerism",
        "ngs",
        "--panel",
        "examples/ngs/panel.vcf",
        "--recipient",
        &format!("recipient={p}"),
        "--donor",
        &format!("pbsc={p}"),
        "--sample",
        &format!("d={p}:day30"),
    ]);
    assert_exit_2(&o, &["bad.vcf"]);
    let err = text(&o.stderr);
    let j: serde_json::Value = serde_json::from_str(err.lines().next().unwrap()).unwrap();
    assert_eq!(j["file"], p.as_str(), "{err}");
    assert_eq!(j["line"], 29, "{err}");
    assert!(
        j["message"]
            .as_str()
            .unwrap()
            .contains("is not a list of read counts (expected whole numbers of reads separated by commas, or '.')"),
        "{err}"
    );
    assert!(!err.contains("invalid digit"), "{err}");
}

/// Audit 2026-12-06: Rust's parse messages ("invalid digit found in
/// string", "number too large to fit in target type") and a setting's
/// internal name (`saturation_rfu`) reached the user; they are words and
/// the option.
#[test]
fn option_errors_are_in_words_with_the_option() {
    let seed = seed_json().display().to_string();
    let o = gw(&["course", "show", &seed, "--from", "abc"]);
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(
        err.contains("invalid value 'abc' for '--from <FROM>': expected a whole number"),
        "{err}"
    );
    let o = gw(&["export", "X", "--rev", "99999999999999999999999"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("a number too large for this option"),
        "{}",
        text(&o.stderr)
    );
    let o = gw(&[
        "chimerism",
        "str",
        "--recipient",
        "R=examples/str/references.txt:R-pre",
        "--donor",
        "UCB-1=examples/str/references.txt:UCB-1",
        "--sample",
        "S=examples/str/day14.txt:PB-d14-WB",
        "--saturation=-1",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(
        err.contains("invalid option: --saturation -1: expected a positive number of RFU"),
        "{err}"
    );
    assert!(!err.contains("saturation_rfu"), "{err}");
}

/// Audit 2026-12-06: a UTF-16 or binary VCF read "stream did not contain
/// valid UTF-8"; it is said in the course readers' words (one home,
/// `graftwatch_core::io_words`), once.
#[test]
fn a_utf16_vcf_is_said_in_words() {
    let dir = tmp("u16-vcf");
    let panel = dir.join("panel.vcf");
    std::fs::write(&panel, b"\xff\xfe#\x00#\x00").unwrap();
    let o = gw(&[
        "chimerism",
        "ngs",
        "--panel",
        panel.to_str().unwrap(),
        "--recipient",
        "recipient=examples/ngs/pileup.vcf",
        "--donor",
        "pbsc=examples/ngs/pileup.vcf",
        "--sample",
        "d=examples/ngs/pileup.vcf:day30",
    ]);
    assert_exit_2(&o, &["panel.vcf: not UTF-8 text: save it as UTF-8"]);
    assert!(
        !text(&o.stderr).contains("stream did not contain"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn course_text_that_is_not_utf8_names_its_line_in_every_reader() {
    let dir = tmp("not-utf8-line");
    let seed =
        std::fs::read_to_string(Path::new(ROOT).join("examples/seed-case/course.csv")).unwrap();
    let lines = seed.lines().count();
    // A Latin-1 'é' in a note on the last line of the seed case.
    let latin1 = [seed.as_bytes(), b"# caf\xe9\n"].concat();
    let csv = dir.join("latin1.csv");
    std::fs::write(&csv, &latin1).unwrap();
    let want = format!("line {}: not UTF-8 text: save it as UTF-8", lines + 1);
    assert_exit_2(
        &gw(&["course", "validate", csv.to_str().unwrap()]),
        &[&want],
    );
    assert_exit_2(&gw_stdin(&["course", "validate", "-"], &latin1), &[&want]);
    // UTF-16 without a byte-order mark: valid UTF-8 full of NUL bytes.
    let u16: Vec<u8> = "record,kind\n".bytes().flat_map(|b| [b, 0]).collect();
    let nul = dir.join("u16-no-bom.csv");
    std::fs::write(&nul, u16).unwrap();
    let o = gw(&["course", "validate", nul.to_str().unwrap()]);
    assert_exit_2(&o, &["line 1", "UTF-16 file without a byte-order mark"]);
    assert!(!text(&o.stderr).contains('\0'), "{}", text(&o.stderr));
    // `import` words it the same way.
    let db = dir.join("gw.db");
    let init = gw(&["db", "init", "--db", db.to_str().unwrap()]);
    assert!(init.status.success(), "{}", text(&init.stderr));
    let o = gw(&[
        "import",
        csv.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
    ]);
    assert!(text(&o.stderr).contains(&want), "{}", text(&o.stderr));
    assert!(!text(&o.stderr).contains("stream did not contain"));
}

#[test]
fn a_row_entered_twice_is_a_warning_naming_the_first() {
    let dir = tmp("entered-twice");
    let seed =
        std::fs::read_to_string(Path::new(ROOT).join("examples/seed-case/course.csv")).unwrap();
    let (n, row) = seed
        .lines()
        .enumerate()
        .find(|(_, l)| l.starts_with("observation,") && l.contains(",stool_volume,"))
        .expect("a stool volume row");
    let twice = format!("{seed}{row}\n");
    let csv = dir.join("twice.csv");
    std::fs::write(&csv, twice).unwrap();
    let o = gw(&["course", "validate", csv.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    // `course validate` lists a valid file's warnings under its "ok" line.
    let e = text(&o.stdout);
    assert!(e.contains(", 1 warning)"), "{e}");
    assert!(
        e.contains(&format!("the same as at line {}: entered twice?", n + 1)),
        "{e}"
    );
    assert!(e.contains("summed"), "{e}");
}

#[test]
fn a_bad_vcf_header_line_is_named_by_its_line() {
    let dir = tmp("vcf-header-line");
    let pileup = std::fs::read_to_string(Path::new(ROOT).join("examples/ngs/pileup.vcf")).unwrap();
    let (first, rest) = pileup.split_once('\n').unwrap();
    let long = format!("{first}\n##{}\n{rest}", "x".repeat(2_000_000));
    let vcf = dir.join("long-header.vcf");
    std::fs::write(&vcf, long).unwrap();
    let o = gw(&[
        "chimerism",
        "ngs",
        "--panel",
        "examples/ngs/panel.vcf",
        "--recipient",
        &format!("recipient={}", vcf.display()),
        "--donor",
        "pbsc=examples/ngs/pileup.vcf",
        "--sample",
        "d=examples/ngs/pileup.vcf:day30",
    ]);
    assert_exit_2(
        &o,
        &["long-header.vcf: line 2: cannot read the VCF header line '##xxx"],
    );
    assert!(
        o.stderr.len() < 2_000,
        "{} bytes of message",
        o.stderr.len()
    );
}

#[test]
fn the_panel_from_standard_input_is_refused_in_words() {
    let panel = std::fs::read(Path::new(ROOT).join("examples/ngs/panel.vcf")).unwrap();
    let o = gw_stdin(
        &[
            "chimerism",
            "ngs",
            "--panel",
            "-",
            "--recipient",
            "recipient=examples/ngs/pileup.vcf",
            "--donor",
            "pbsc=examples/ngs/pileup.vcf",
            "--sample",
            "d=examples/ngs/pileup.vcf",
        ],
        &panel,
    );
    assert_exit_2(&o, &["--panel -: standard input is not read for --panel"]);
    assert!(
        !text(&o.stderr).contains("No such file"),
        "{}",
        text(&o.stderr)
    );
}
