//! The fast readers give exactly what the plain readers give: the JSON
//! observations scanner (against serde on the same document) and the
//! streaming CSV reader (against parsing the whole text), on the seed case,
//! the malformed corpus and files made to hit their edges.

use std::path::{Path, PathBuf};

use graftwatch_course::io::read_json_str;
use graftwatch_course::io_csv::read_csv_str;
use graftwatch_course::{CourseError, LoadedCourse, read_course};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A result as comparable text: the course and warnings, or the error.
fn outcome(r: Result<LoadedCourse, CourseError>) -> String {
    match r {
        Ok(lc) => format!(
            "{}\n{:?}",
            graftwatch_course::io::to_json_string(&lc.course),
            lc.warnings
        ),
        Err(CourseError::Invalid(d)) => format!("invalid: {d:?}"),
        Err(e) => format!("error: {e}"),
    }
}

/// The same document with its observations key spelt with an escape: serde
/// reads the same key, the hand scanner gives up on it.
fn serde_only(text: &str) -> String {
    text.replacen("\"observations\"", "\"observ\\u0061tions\"", 1)
}

fn corpus(ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join("crates/course/tests/data/malformed"))
        .expect("corpus")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    v.push(root().join(format!("examples/seed-case/course.{ext}")));
    v.sort();
    v
}

#[test]
fn json_scanner_agrees_with_serde_on_every_file() {
    let files = corpus("json");
    assert!(files.len() > 10);
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read");
        let fast = outcome(read_json_str(&text, &f));
        let slow = outcome(read_json_str(&serde_only(&text), &f));
        assert_eq!(fast, slow, "{}", f.display());
    }
}

#[test]
fn json_scanner_edge_values_agree_with_serde() {
    let seed = std::fs::read_to_string(root().join("examples/seed-case/course.json")).unwrap();
    let at = seed.find("\"observations\": [").expect("observations") + "\"observations\": [".len();
    for extra in [
        r#"{"date": "2024-03-01", "kind": "anc", "value": 1e-3, "unit": "/uL", "note": "esc \" \\ \/ \b \f \n \r \t \u00e9 \ud83d\ude00"},"#,
        r#"{"kind": "weight", "value": 70, "date": "2024-03-01", "unit": "kg"},"#,
        r#"{"date": "2024-03-01", "kind": "anc", "value": null, "unit": "/uL"},"#,
        r#"{"date": "2024-03-01", "kind": "anc", "value": [1], "unit": "/uL"},"#,
        r#"{"date": "2024-03-01", "kind": "anc", "value": 1, "unit": "/uL", "unit": "/uL"},"#,
        r#"{"date": "2024-03-01", "kind": "anc", "value": 1, "units": "/uL"},"#,
        r#"{"date": "2024-03-01", "kind": "anc", "value": 1e999, "unit": "/uL"},"#,
        r#"{"date": "2024-02-30", "kind": "anc", "value": 1, "unit": "/uL"},"#,
        r#"{"date": "2024-03-01", "kind": "anc", "value": "1", "unit": "/uL"},"#,
        r#"{"date": "2024-03-01", "kind": "anc", "value": 1, "unit": "/uL"}, ,"#,
    ] {
        // On a line of its own: the escape spelling changes columns only on
        // the key's line.
        let text = format!("{}\n{}{}", &seed[..at], extra, &seed[at..]);
        let p = Path::new("edge.json");
        assert_eq!(
            outcome(read_json_str(&text, p)),
            outcome(read_json_str(&serde_only(&text), p)),
            "{extra}"
        );
    }
}

/// Reads a whole course text (CSV or JSON) as if from `path`.
type WholeTextReader = fn(&str, &Path) -> Result<LoadedCourse, CourseError>;

/// Writes `bytes` to a temporary file called `name` and reads it both ways:
/// as a file (streamed when it is well formed) and as the whole text with
/// `read_whole`.
fn both_ways(name: &str, bytes: &[u8], read_whole: WholeTextReader) -> (String, String) {
    let dir = std::env::temp_dir().join(format!("gw-fast-paths-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    let streamed = outcome(read_course(&p));
    let whole = match graftwatch_course::io::utf8_text(std::fs::read(&p).unwrap()) {
        Ok(text) => outcome(read_whole(&text, &p)),
        Err(source) => outcome(Err(CourseError::Io {
            path: p.clone(),
            source,
        })),
    };
    std::fs::remove_file(&p).unwrap();
    (streamed, whole)
}

/// Writes `bytes` to a temporary `.csv` file and reads it both ways.
fn csv_both_ways(name: &str, bytes: &[u8]) -> (String, String) {
    both_ways(name, bytes, read_csv_str)
}

#[test]
fn streamed_csv_agrees_with_the_whole_text_on_every_file() {
    let files = corpus("csv");
    assert!(files.len() > 10);
    for f in files {
        let bytes = std::fs::read(&f).expect("read");
        let (streamed, whole) = csv_both_ways("corpus.csv", &bytes);
        assert_eq!(streamed, whole, "{}", f.display());
    }
}

#[test]
fn streamed_csv_edges_agree_with_the_whole_text() {
    let seed = std::fs::read_to_string(root().join("examples/seed-case/course.csv")).unwrap();
    let mut cases: Vec<(&str, Vec<u8>)> = Vec::new();
    // Byte-order mark and comment lines before the header.
    cases.push((
        "bom.csv",
        [&b"\xef\xbb\xbf# a comment\n#another\n"[..], seed.as_bytes()].concat(),
    ));
    // More comment lines than the first block holds.
    let comments = "# filler comment line of some length\n".repeat(3_000);
    cases.push((
        "long-comments.csv",
        [comments.as_bytes(), seed.as_bytes()].concat(),
    ));
    // Not UTF-8 far into the file, after a malformed row: the UTF-8 error
    // wins, as when the file is read into a string.
    let mut bad = seed
        .replacen("observation,", "observation,\"unclosed,", 1)
        .into_bytes();
    bad.extend_from_slice(b"observation,SEED-AML-01,,2024-01-01,,,anc,1,\xff/uL,,,,,,,,,\n");
    cases.push(("not-utf8-late.csv", bad));
    let mut bad_comment = seed.clone().into_bytes();
    bad_comment.extend_from_slice(b"# caf\xe9\n");
    cases.push(("not-utf8-comment.csv", bad_comment));
    cases.push(("empty.csv", Vec::new()));
    cases.push(("only-bom.csv", b"\xef\xbb\xbf".to_vec()));
    cases.push(("header-only.csv", b"record,kind\n".to_vec()));
    cases.push(("crlf.csv", seed.replace('\n', "\r\n").into_bytes()));
    for (name, bytes) in cases {
        let (streamed, whole) = csv_both_ways(name, &bytes);
        assert_eq!(streamed, whole, "{name}");
    }
    let (streamed, _) = csv_both_ways("x.csv", b"record,kind\n\xff\n");
    assert!(
        streamed.contains("not UTF-8 text: save it as UTF-8"),
        "{streamed}"
    );
}

/// Writes `bytes` to a temporary `.json` file and reads it both ways.
fn json_both_ways(name: &str, bytes: &[u8]) -> (String, String) {
    both_ways(name, bytes, read_json_str)
}

#[test]
fn streamed_json_agrees_with_the_whole_text_on_every_file() {
    let mut files = corpus("json");
    for dir in ["docs/examples", "crates/course/tests/data/fuzz"] {
        for e in std::fs::read_dir(root().join(dir)).expect("dir").flatten() {
            if e.path().extension().is_some_and(|x| x == "json") {
                files.push(e.path());
            }
        }
    }
    assert!(files.len() > 15);
    for f in files {
        let bytes = std::fs::read(&f).expect("read");
        let (streamed, whole) = json_both_ways("corpus.json", &bytes);
        assert_eq!(streamed, whole, "{}", f.display());
    }
}

#[test]
fn streamed_json_edges_agree_with_the_whole_text() {
    let seed = std::fs::read_to_string(root().join("examples/seed-case/course.json")).unwrap();
    let mut cases: Vec<(&str, Vec<u8>)> = vec![
        ("bom.json", [&b"\xef\xbb\xbf"[..], seed.as_bytes()].concat()),
        // Warnings (an implausible value) are located by line: the whole
        // text is read for them.
        (
            "warning.json",
            seed.replacen(
                "\"kind\": \"bilirubin\",\n   \"value\": 0.7",
                "\"kind\": \"bilirubin\",\n   \"value\": 40",
                1,
            )
            .into_bytes(),
        ),
        (
            "truncated.json",
            seed.as_bytes()[..seed.len() * 2 / 3].to_vec(),
        ),
        (
            "truncated-end.json",
            seed.trim_end().trim_end_matches('}').as_bytes().to_vec(),
        ),
        ("empty.json", Vec::new()),
        ("only-bom.json", b"\xef\xbb\xbf".to_vec()),
        ("crlf.json", seed.replace('\n', "\r\n").into_bytes()),
        ("trailing.json", format!("{seed} x").into_bytes()),
    ];
    assert!(
        cases[1].1 != seed.as_bytes(),
        "the warning case changes a value"
    );
    let mut late = seed.clone().into_bytes();
    let n = late.len();
    late[n - 5] = 0xff;
    cases.push(("not-utf8-late.json", late));
    let mut early = seed.clone().into_bytes();
    early[40] = 0xe9;
    cases.push(("not-utf8-early.json", early));
    for (name, bytes) in cases {
        let (streamed, whole) = json_both_ways(name, &bytes);
        assert_eq!(streamed, whole, "{name}");
        if name == "warning.json" {
            assert!(
                streamed.contains("severity: Warning") && streamed.contains("line: Some(98"),
                "{name}: the warning with its line"
            );
        }
    }
}

/// The workspace's one seeded generator, so a failure reproduces.
type Gen = graftwatch_core::SeededRng;

/// The picks the generated observations use.
trait Pick {
    /// A uniform element of a non-empty slice.
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str;
}

impl Pick for Gen {
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.index(xs.len())]
    }
}

/// One generated observation object: common and rare keys in any order,
/// values of every JSON shape (mostly valid, some not), white space and
/// escapes as editors write them.
fn generated_observation(g: &mut Gen) -> String {
    let kinds = [
        "anc",
        "platelets",
        "hb",
        "bilirubin",
        "temperature",
        "weight",
        "skin_rash_bsa",
        "stool_volume",
        "ice_score",
        "consciousness",
        "seizure",
        "chimerism",
        "mrd_flow",
        "skin_bullae",
        "cgvhd_mouth",
        "hypotension",
        "st2",
        "ancc",
    ];
    let units = [
        "10^9/L",
        "/uL",
        "g/dL",
        "\\u00b5mol/L",
        "mg/dL",
        "Cel",
        "[degF]",
        "kg",
        "%",
        "mL",
        "pg/mL",
        "furlong",
    ];
    let values = [
        "0.4",
        "12",
        "-0",
        "1e2",
        "2.5E-1",
        "38.25",
        "true",
        "false",
        "\"voice\"",
        "\"none\"",
        "\"rapidly_resolving\"",
        "\"vasopressor_required\"",
        "null",
        "[1]",
        "1e999",
        "7",
    ];
    let mut fields: Vec<String> = vec![
        format!(
            "\"date\": \"2024-0{}-{:02}\"",
            1 + g.index(9),
            1 + g.index(28)
        ),
        format!("\"kind\": \"{}\"", g.pick(&kinds)),
        format!("\"value\": {}", g.pick(&values)),
    ];
    if g.index(3) > 0 {
        fields.push(format!("\"unit\": \"{}\"", g.pick(&units)));
    }
    for (key, vals) in [
        ("time", &["\"07:30\"", "\"23:59\"", "\"24:00\""][..]),
        (
            "attribution",
            &["\"gvhd\"", "\"other\"", "\"multifactorial\"", "\"maybe\""][..],
        ),
        (
            "lineage",
            &["\"cd3\"", "\"whole_blood\"", "\"myeloid\""][..],
        ),
        ("person", &["\"recipient\"", "\"D1\"", "\" \""][..]),
        ("method", &["\"str\"", "\"ngs\"", "\"pcr\""][..]),
        ("assay", &["\"GlobalFiler\"", "\"NPM1 \\\"A\\\"\""][..]),
        ("sample", &["\"S-1\"", "\"S\\/2\""][..]),
        ("automated", &["true", "false", "\"yes\""][..]),
        (
            "note",
            &[
                "\"caf\\u00e9 \\ud83d\\ude00\"",
                "\"plain\"",
                "\"tab\\there\"",
            ][..],
        ),
    ] {
        if g.index(8) == 0 {
            fields.push(format!("\"{key}\": {}", g.pick(vals)));
        }
    }
    // Key order as it comes: rotate by a random amount.
    let n = fields.len();
    fields.rotate_left(g.index(n));
    let sep = g.pick(&[", ", ",\n   ", ",", " ,\t"]);
    format!("{{{}}}", fields.join(sep))
}

#[test]
fn json_scanner_agrees_with_serde_on_generated_courses() {
    let seed = std::fs::read_to_string(root().join("examples/seed-case/course.json")).unwrap();
    let at = seed.find("\"observations\": [").expect("observations") + "\"observations\": [".len();
    let mut g = Gen::new(0x2545_f491_4f6c_dd1d);
    let mut fast_taken = 0;
    for round in 0..60 {
        let n = 1 + g.index(6);
        let extra: Vec<String> = (0..n).map(|_| generated_observation(&mut g)).collect();
        let text = format!("{}\n{},\n{}", &seed[..at], extra.join(",\n"), &seed[at..]);
        let p = Path::new("generated.json");
        let fast = outcome(read_json_str(&text, p));
        let slow = outcome(read_json_str(&serde_only(&text), p));
        assert_eq!(fast, slow, "round {round}: {}", extra.join(",\n"));
        let (streamed, whole) = json_both_ways("generated.json", text.as_bytes());
        assert_eq!(streamed, whole, "round {round}: {}", extra.join(",\n"));
        if graftwatch_course::io::fast_path_taken(&text) {
            fast_taken += 1;
        }
    }
    // Most rounds hold something the scanner gives up on; enough do not.
    assert!(fast_taken >= 5, "the scanner took {fast_taken} of 60");
}

/// The CSV reader remembers converted dates, kinds and units by their
/// text: a remembered text gives its value again (also with white space
/// around it) and a text that failed fails again on every row, each
/// reported with its own line.
#[test]
fn csv_remembered_conversions_report_every_bad_row() {
    let base = std::fs::read_to_string(
        root().join("crates/course/tests/data/malformed/csv-unknown-observation-kind.csv"),
    )
    .unwrap()
    .replace(
        "observation,BAD-2,,2024-03-05,,,neutrofils,300,/uL,,,,,,,,,\n",
        "",
    );
    let good = "observation,BAD-2,,2024-03-06,,,anc,300,/uL,,,,,,,,,\n\
                observation,BAD-2,,2024-03-06,,,anc,0.4, 10^9/L ,,,,,,,,,\n\
                observation,BAD-2,,2024-03-07,,,anc,500,/uL,,,,,,,,,\n";
    let (ok, _) = csv_both_ways("memo-good.csv", format!("{base}{good}").as_bytes());
    assert!(!ok.starts_with("invalid"), "{ok}");
    let bad = "observation,BAD-2,,2024-03-06,,,anc,300,furlong,,,,,,,,,\n\
               observation,BAD-2,,2024-03-06,,,anc,300,/uL,,,,,,,,,\n\
               observation,BAD-2,,2024-03-06,,,anc,300,furlong,,,,,,,,,\n\
               observation,BAD-2,,2024-02-30,,,anc,300,/uL,,,,,,,,,\n\
               observation,BAD-2,,2024-02-30,,,anc,300,/uL,,,,,,,,,\n\
               observation,BAD-2,,2024-03-06,,,ancc,300,/uL,,,,,,,,,\n\
               observation,BAD-2,,2024-03-06,,,ancc,300,/uL,,,,,,,,,\n";
    let (streamed, whole) = csv_both_ways("memo-bad.csv", format!("{base}{bad}").as_bytes());
    assert_eq!(streamed, whole);
    let first = base.lines().count() + 1;
    for (offset, field) in [
        (0, "unit"),
        (2, "unit"),
        (3, "date"),
        (4, "date"),
        (5, "kind"),
        (6, "kind"),
    ] {
        let line = first + offset;
        assert!(
            streamed.contains(&format!(
                "CsvLine {{ line: {line}, column: Some(\"{field}\") }}"
            )),
            "line {line} {field}: {streamed}"
        );
    }
}
