//! The JSON course file read as a stream: the `observations` array parsed
//! by the hand scanner of [`crate::json_fast`] through a window of a few
//! hundred kilobytes, so that the text of a large file is never held whole
//! (a 100 MB file no longer costs 100 MB of memory, the page faults of
//! filling it and the copy into it).
//!
//! Everything else of the document (patient, donors, events: small) is
//! kept as text with an empty observations array in place of the scanned
//! one, for serde to parse, exactly as [`crate::json_fast::observations`]'s
//! caller does with the whole text. Anything unusual — a read error, text
//! that is not UTF-8, an observation the scanner gives up on, no top-level
//! `observations` key — gives `None`: the caller then reads the whole file
//! as before, which reports every problem exactly as before. So the stream
//! changes no result and no message, only the memory and the speed.

use std::io::Read;
use std::path::Path;

use crate::json_fast::{Cursor, observations_key};
use crate::observation::Observation;

/// Bytes read from the file at a time.
const CHUNK: usize = 256 * 1024;

/// A scanner that stops this close to the end of the text read so far may
/// have stopped only because the text goes on in the next chunk (a string,
/// number or literal cut in two); further from it, it stopped at a real
/// problem.
const CUT_MARGIN: usize = 16;

/// The document as streamed: the observations and the rest of the text.
pub(crate) struct Streamed {
    /// The observations, in file order.
    pub(crate) observations: Vec<Observation>,
    /// The document with `[]` in place of the observations array.
    pub(crate) rest: String,
}

/// A window of the file: the text read and not yet consumed, and the bytes
/// of a character cut at the end of the last read.
struct Window {
    file: std::fs::File,
    /// Valid UTF-8, from the first byte not yet consumed.
    text: String,
    /// The start of a character whose other bytes are not read yet.
    pending: Vec<u8>,
    eof: bool,
    first: bool,
    /// Bytes to read at least at a time ([`CHUNK`]; smaller in tests).
    chunk: usize,
}

impl Window {
    /// Drops the first `n` bytes of the text (consumed), reads at least one
    /// more chunk (as much as the text kept, so that re-scanning a long
    /// prefix stays linear overall) and checks it is UTF-8. `None` on a read
    /// error or text that is not UTF-8.
    fn refill(&mut self, n: usize) -> Option<()> {
        let mut bytes = std::mem::take(&mut self.text).into_bytes();
        bytes.drain(..n);
        bytes.append(&mut self.pending);
        // At least 4 bytes: a byte-order mark is recognised in the first read.
        let want = self.chunk.max(bytes.len()).max(4);
        let before = bytes.len();
        (&mut self.file)
            .take(want as u64)
            .read_to_end(&mut bytes)
            .ok()?;
        self.eof = bytes.len() - before < want;
        if self.first {
            self.first = false;
            // A UTF-8 byte-order mark (Windows editors write one) is not content.
            if bytes.starts_with(b"\xEF\xBB\xBF") {
                bytes.drain(..3);
            }
        }
        let cut = if self.eof {
            bytes.len()
        } else {
            char_boundary(&bytes)
        };
        self.pending = bytes.split_off(cut);
        self.text = String::from_utf8(bytes).ok()?;
        Some(())
    }

    /// Whether a scanner that stopped at `at` in the text may need more text.
    fn cut_short(&self, at: usize) -> bool {
        !self.eof && self.text.len().saturating_sub(at) <= CUT_MARGIN
    }
}

/// The length of `bytes` without a last character whose bytes are not all
/// there (UTF-8 is checked afterwards; this only finds where to cut).
fn char_boundary(bytes: &[u8]) -> usize {
    for back in 1..=bytes.len().min(3) {
        let b = bytes[bytes.len() - back];
        if b & 0xC0 == 0x80 {
            continue; // a continuation byte: look further back
        }
        let len = match b {
            0xC0..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xFF => 4,
            _ => 1,
        };
        return if len > back {
            bytes.len() - back
        } else {
            bytes.len()
        };
    }
    bytes.len()
}

/// Reads the JSON course file at `path` as a stream (see the module
/// documentation); `None` whenever the whole text must be read instead.
pub(crate) fn read(path: &Path) -> Option<Streamed> {
    read_in_chunks(path, CHUNK)
}

/// [`read`] with reads of at least `chunk` bytes.
fn read_in_chunks(path: &Path, chunk: usize) -> Option<Streamed> {
    let mut w = Window {
        file: std::fs::File::open(path).ok()?,
        text: String::new(),
        pending: Vec::new(),
        eof: false,
        first: true,
        chunk: chunk.max(1),
    };
    w.refill(0)?;
    let mut rest = prefix(&mut w)?;
    rest.push_str("[]");
    let observations = array(&mut w)?;
    rest.push_str(&w.text);
    while !w.eof {
        let n = w.text.len();
        w.refill(n)?;
        rest.push_str(&w.text);
    }
    if !w.pending.is_empty() {
        return None;
    }
    Some(Streamed { observations, rest })
}

/// The text before the observations array (consumed from the window,
/// which then starts at the array's `[`).
fn prefix(w: &mut Window) -> Option<String> {
    loop {
        let mut c = Cursor::new(&w.text);
        // Found with the character after it in view (white space cut by
        // the window's end would otherwise be left out of the prefix).
        if observations_key(&mut c).is_some() && (c.i < w.text.len() || w.eof) {
            let at = c.i;
            let head = w.text[..at].to_string();
            w.refill(at)?;
            return Some(head);
        }
        if !w.cut_short(c.i) {
            return None;
        }
        // Keep everything: the key may be further on.
        w.refill(0)?;
    }
}

/// The observations array, from its `[` (consumed with it).
fn array(w: &mut Window) -> Option<Vec<Observation>> {
    let mut out = Vec::new();
    // The opening bracket and, for an empty array, the closing one.
    loop {
        let mut c = Cursor::new(&w.text);
        c.eat(b'[')?;
        c.ws();
        match c.peek() {
            Some(b']') => {
                w.refill(c.i + 1)?;
                return Some(out);
            }
            Some(_) => {
                let at = c.i;
                w.refill(at)?;
                break;
            }
            None if !w.eof => w.refill(0)?,
            None => return None,
        }
    }
    loop {
        let (consumed, done, stopped) = elements(&w.text, &mut out)?;
        if done {
            w.refill(consumed)?;
            out.shrink_to_fit();
            return Some(out);
        }
        if !w.cut_short(stopped) {
            return None;
        }
        w.refill(consumed)?;
    }
}

/// Scans elements (each an observation followed by `,` or the closing `]`)
/// from the start of `text` into `out`: the bytes consumed by whole
/// elements, whether the closing bracket was reached, and where the scanner
/// stopped. `None` on a separator that is neither (a real problem).
fn elements(text: &str, out: &mut Vec<Observation>) -> Option<(usize, bool, usize)> {
    let mut c = Cursor::new(text);
    let mut consumed = 0;
    loop {
        c.ws();
        let Some(o) = c.observation() else {
            return Some((consumed, false, c.i));
        };
        c.ws();
        match c.peek() {
            Some(b',') => {
                c.i += 1;
                out.push(o);
                consumed = c.i;
            }
            Some(b']') => {
                c.i += 1;
                out.push(o);
                return Some((c.i, true, c.i));
            }
            Some(_) => return None,
            None => return Some((consumed, false, c.i)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file in the temporary directory, removed when dropped.
    struct TempFile(std::path::PathBuf);

    impl TempFile {
        fn new(name: &str, bytes: &[u8]) -> TempFile {
            let p = std::env::temp_dir().join(format!(
                "graftwatch-json-stream-{}-{name}.json",
                std::process::id()
            ));
            std::fs::write(&p, bytes).expect("write");
            TempFile(p)
        }
    }

    impl Drop for TempFile {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    /// What the whole-text path sees: the scanned observations and the
    /// document with `[]` in their place.
    fn whole(text: &str) -> Option<(Vec<Observation>, String)> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let (obs, range) = crate::json_fast::observations(text)?;
        Some((
            obs,
            format!("{}[]{}", &text[..range.start], &text[range.end..]),
        ))
    }

    fn seed() -> String {
        let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/seed-case/course.json");
        std::fs::read_to_string(p).expect("seed case")
    }

    /// Reads `text` through windows of many sizes (every cut of a string,
    /// number, literal, escape and multi-byte character) and compares with
    /// the whole-text scan: the same observations and rest, or both give up.
    fn agrees(name: &str, text: &str) -> bool {
        let f = TempFile::new(name, text.as_bytes());
        let want = whole(text);
        let mut taken = false;
        for chunk in [1, 2, 3, 5, 7, 16, 61, 1000, 4096, CHUNK] {
            let got = read_in_chunks(&f.0, chunk).map(|s| (s.observations, s.rest));
            // (Not assert_eq: the values are far too long to print.)
            assert!(
                got == want,
                "{name}, chunk {chunk}: streamed {:?} observations, whole text {:?}",
                got.as_ref().map(|g| g.0.len()),
                want.as_ref().map(|w| w.0.len())
            );
            taken = got.is_some();
        }
        taken
    }

    #[test]
    fn windows_of_every_size_read_what_the_whole_text_reads() {
        let seed = seed();
        assert!(agrees("seed", &seed));
        // A byte-order mark; observations first; multi-byte characters and
        // escapes in values and notes (cut anywhere by small windows).
        assert!(agrees("bom", &format!("\u{feff}{seed}")));
        let v: serde_json::Value = serde_json::from_str(&seed).expect("json");
        let obs = serde_json::to_string(&v["observations"]).expect("json");
        let mut rest = v.clone();
        rest.as_object_mut().expect("object").remove("observations");
        let rest = serde_json::to_string(&rest).expect("json");
        let first = format!("{{\"observations\": {obs}, {}", &rest[1..]);
        assert!(agrees("first", &first));
        let notes = first.replace(
            "\"kind\":\"anc\"",
            "\"note\": \"µg \\\"q\\\" \\u00b5 😀 \\ud83d\\ude00 ∑\", \"kind\":\"anc\"",
        );
        assert!(notes.len() > first.len() + 1000);
        assert!(agrees("notes", &notes));
        assert!(agrees(
            "empty",
            r#"{"format": "x", "observations": [ ] , "b": "é"}"#
        ));
        assert!(agrees(
            "spaces",
            "{\"observations\"\n:\n[\n{\"date\":\"2024-03-01\",\"kind\":\"anc\",\"value\":1e0}\n]\n}\n"
        ));
    }

    #[test]
    fn anything_unusual_gives_up_in_every_window() {
        let seed = seed();
        let cut = &seed[..seed.len() / 2];
        for (name, text) in [
            ("truncated", cut.to_string()),
            ("no-key", r#"{"format": "x", "events": []}"#.to_string()),
            (
                "null",
                seed.replacen("\"value\": ", "\"value\": null, \"x\": ", 1),
            ),
            (
                "escaped-key",
                seed.replacen("\"observations\"", "\"observ\\u0061tions\"", 1),
            ),
            (
                "trailing-comma",
                r#"{"observations": [{"date": "2024-03-01", "kind": "anc", "value": 1},]}"#
                    .to_string(),
            ),
            (
                "unclosed",
                r#"{"observations": [{"date": "2024-03-01", "kind": "anc", "value": 1}"#
                    .to_string(),
            ),
        ] {
            assert!(!agrees(name, &text), "{name} taken");
        }
        // Not UTF-8, after the observations and inside one.
        let mut bad = seed.clone().into_bytes();
        let n = bad.len();
        bad[n - 3] = 0xFF;
        let f = TempFile::new("latin1-end", &bad);
        for chunk in [1, 7, 4096, CHUNK] {
            assert!(read_in_chunks(&f.0, chunk).is_none());
        }
        let text = seed.replacen("\"anc\"", "\"an\u{e9}\"", 1);
        let mut bad = text.into_bytes();
        let at = bad.windows(2).position(|w| w == [0xC3, 0xA9]).expect("é");
        bad.remove(at + 1);
        let f = TempFile::new("latin1-mid", &bad);
        for chunk in [1, 7, 4096, CHUNK] {
            assert!(read_in_chunks(&f.0, chunk).is_none());
        }
    }

    #[test]
    fn char_boundary_cuts_only_an_unfinished_character() {
        assert_eq!(char_boundary(b""), 0);
        assert_eq!(char_boundary(b"ab"), 2);
        assert_eq!(char_boundary("aé".as_bytes()), 3);
        assert_eq!(char_boundary(&"aé".as_bytes()[..2]), 1);
        let smile = "a😀".as_bytes();
        for k in 2..5 {
            assert_eq!(char_boundary(&smile[..k]), 1, "{k}");
        }
        assert_eq!(char_boundary(smile), 5);
        assert_eq!(char_boundary(&"€".as_bytes()[..2]), 0);
    }
}
