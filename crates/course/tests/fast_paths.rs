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

/// Writes `bytes` to a temporary `.csv` file and reads it both ways.
fn csv_both_ways(name: &str, bytes: &[u8]) -> (String, String) {
    let dir = std::env::temp_dir().join(format!("gw-fast-paths-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    let streamed = outcome(read_course(&p));
    let whole = match std::fs::read_to_string(&p) {
        Ok(text) => outcome(read_csv_str(&text, &p)),
        Err(source) => outcome(Err(CourseError::Io {
            path: p.clone(),
            source,
        })),
    };
    std::fs::remove_file(&p).unwrap();
    (streamed, whole)
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
        streamed.contains("stream did not contain valid UTF-8"),
        "{streamed}"
    );
}
