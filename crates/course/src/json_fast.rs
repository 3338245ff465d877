//! The fast path of the JSON reader: the `observations` array (nearly all
//! of a large course file) parsed by hand, straight into [`Observation`]s.
//!
//! serde's generic machinery costs several times the scan itself on a file
//! of a million small objects. This scanner accepts exactly the JSON serde
//! would accept for an observation — the same keys, no key twice, the
//! required `date`, `kind` and `value`, each typed field converted by that
//! type's own `Deserialize` — and gives up (`None`) on anything else:
//! `null`, nested values, an unknown or repeated key, a value serde would
//! refuse, a number out of range. Giving up costs nothing but time: the
//! caller then parses the whole document with serde, which reports the
//! problem exactly as before. So the fast path changes no result and no
//! message, only the speed.

use graftwatch_core::{Date, Lineage, Percent, PersonRef, TimeOfDay, Unit};
use serde::Deserialize;
use serde::de::value::{BorrowedStrDeserializer, Error as ValueError};

use crate::decimal::Mantissa;
use crate::memo::{Memo, Seen};
use crate::observation::{Attribution, ChimerismMethod, ObsValue, Observation, ObservationKind};

/// The brackets of a JSON object (named, so that the brace-matching
/// function-length check reads this file's functions right).
const OBJECT_OPEN: u8 = b'{';
const OBJECT_CLOSE: u8 = b'}';

/// A byte cursor over the document (or, for [`crate::json_stream`], over
/// the part of it read so far).
pub(crate) struct Cursor<'a> {
    text: &'a str,
    b: &'a [u8],
    /// The position of the next byte.
    pub(crate) i: usize,
    /// Dates, kinds and units already converted (they repeat all along a
    /// course file).
    memo: Memo,
}

/// A JSON string: borrowed when it has no escapes, else unescaped.
enum JStr<'a> {
    Borrowed(&'a str),
    Owned(String),
}

impl JStr<'_> {
    fn as_str(&self) -> &str {
        match self {
            JStr::Borrowed(s) => s,
            JStr::Owned(s) => s,
        }
    }
    fn into_string(self) -> String {
        match self {
            JStr::Borrowed(s) => s.to_string(),
            JStr::Owned(s) => s,
        }
    }
    fn into_boxed(self) -> Box<str> {
        match self {
            JStr::Borrowed(s) => Box::from(s),
            JStr::Owned(s) => s.into_boxed_str(),
        }
    }
}

/// A scalar JSON value (anything else makes the fast path give up).
enum Scalar<'a> {
    Str(JStr<'a>),
    Num(f64),
    Bool(bool),
}

/// Converts text with a type's own `Deserialize` (the same code serde runs
/// on the string when it parses the document).
fn typed<'a, T: Deserialize<'a>>(s: &JStr<'a>) -> Option<T> {
    match s {
        JStr::Borrowed(b) => T::deserialize(BorrowedStrDeserializer::<ValueError>::new(b)).ok(),
        JStr::Owned(o) => {
            T::deserialize(serde::de::value::StrDeserializer::<ValueError>::new(o)).ok()
        }
    }
}

impl<'a> Cursor<'a> {
    /// A cursor at the start of `text`.
    pub(crate) fn new(text: &'a str) -> Cursor<'a> {
        Cursor {
            text,
            b: text.as_bytes(),
            i: 0,
            memo: Memo::default(),
        }
    }

    pub(crate) fn ws(&mut self) {
        while let Some(c) = self.b.get(self.i) {
            if matches!(c, b' ' | b'\n' | b'\r' | b'\t') {
                self.i += 1;
            } else {
                break;
            }
        }
    }

    pub(crate) fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    pub(crate) fn eat(&mut self, c: u8) -> Option<()> {
        (self.peek()? == c).then(|| self.i += 1)
    }

    /// A string starting at the opening quote.
    #[inline(always)]
    fn string(&mut self) -> Option<JStr<'a>> {
        self.eat(b'"')?;
        let start = self.i;
        self.i = plain_run_end(self.b, self.i);
        match *self.b.get(self.i)? {
            b'"' => {
                // Both ends are next to a quote, so on character boundaries.
                let s = self.text.get(start..self.i)?;
                self.i += 1;
                Some(JStr::Borrowed(s))
            }
            b'\\' => self.escaped_string(start),
            _ => None,
        }
    }

    /// The rest of a string with escapes, from its first character.
    fn escaped_string(&mut self, start: usize) -> Option<JStr<'a>> {
        let mut out = String::from(&self.text[start..self.i]);
        loop {
            let c = *self.b.get(self.i)?;
            match c {
                b'"' => {
                    self.i += 1;
                    return Some(JStr::Owned(out));
                }
                b'\\' => {
                    let e = *self.b.get(self.i + 1)?;
                    self.i += 2;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => out.push(self.unicode_escape()?),
                        _ => return None,
                    }
                }
                0..=0x1f => return None,
                _ => {
                    // Copy the run up to the next quote or backslash.
                    let run = self.i;
                    self.i = plain_run_end(self.b, self.i);
                    out.push_str(&self.text[run..self.i]);
                }
            }
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let h = self.text.get(self.i..self.i + 4)?;
        if !h.bytes().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        self.i += 4;
        u32::from_str_radix(h, 16).ok()
    }

    /// `\uXXXX` after the `u` (a surrogate pair as one character; a lone
    /// surrogate is refused, as serde refuses it).
    fn unicode_escape(&mut self) -> Option<char> {
        let hi = self.hex4()?;
        if (0xD800..0xDC00).contains(&hi) {
            self.eat(b'\\')?;
            self.eat(b'u')?;
            let lo = self.hex4()?;
            if !(0xDC00..0xE000).contains(&lo) {
                return None;
            }
            return char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00));
        }
        char::from_u32(hi)
    }

    /// A number by the JSON grammar, as the nearest `f64` (what serde_json
    /// gives with `float_roundtrip`, integers included); out of range gives
    /// up (serde refuses it). A plain decimal of at most 19 digits whose
    /// digits make an integer up to 2^53 with at most 22 after the point —
    /// nearly every number in a course — is that integer divided by a power
    /// of ten, both exact, so the one rounding of the division gives the
    /// nearest `f64` (Clinger's fast path); anything else is parsed by
    /// `str::parse`.
    fn number(&mut self) -> Option<f64> {
        let start = self.i;
        let negative = self.eat(b'-').is_some();
        let mut m = Mantissa::default();
        match self.peek()? {
            b'0' => self.i += 1,
            b'1'..=b'9' => self.digits_into(&mut m),
            _ => return None,
        }
        let mut after_point = 0;
        if self.peek() == Some(b'.') {
            self.i += 1;
            if !self.peek()?.is_ascii_digit() {
                return None;
            }
            let from = self.i;
            self.digits_into(&mut m);
            after_point = self.i - from;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if !self.peek()?.is_ascii_digit() {
                return None;
            }
            self.digits();
        } else if let Some(v) = m.exact(after_point, negative) {
            return Some(v);
        }
        let v: f64 = self.text[start..self.i].parse().ok()?;
        v.is_finite().then_some(v)
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
    }

    /// [`Cursor::digits`], adding them to `m`.
    fn digits_into(&mut self, m: &mut Mantissa) {
        while let Some(c) = self.peek().filter(u8::is_ascii_digit) {
            m.push(c - b'0');
            self.i += 1;
        }
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        if self.b.get(self.i..self.i + word.len())? == word {
            self.i += word.len();
            Some(())
        } else {
            None
        }
    }

    fn scalar(&mut self) -> Option<Scalar<'a>> {
        match self.peek()? {
            b'"' => self.string().map(Scalar::Str),
            b't' => self.literal(b"true").map(|()| Scalar::Bool(true)),
            b'f' => self.literal(b"false").map(|()| Scalar::Bool(false)),
            b'-' | b'0'..=b'9' => self.number().map(Scalar::Num),
            _ => None,
        }
    }

    /// One observation object, from its `{`.
    pub(crate) fn observation(&mut self) -> Option<Observation> {
        self.eat(OBJECT_OPEN)?;
        let mut f = Fields::default();
        self.ws();
        if self.eat(OBJECT_CLOSE).is_some() {
            return None;
        }
        loop {
            self.ws();
            let key = self.string()?;
            self.ws();
            self.eat(b':')?;
            self.ws();
            let value = self.scalar()?;
            f.set(key.as_str(), value, &mut self.memo)?;
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                OBJECT_CLOSE => {
                    self.i += 1;
                    return f.build();
                }
                _ => return None,
            }
        }
    }

    /// The observations array, from its `[`.
    fn observations(&mut self) -> Option<Vec<Observation>> {
        self.eat(b'[')?;
        let mut out = Vec::new();
        self.ws();
        if self.eat(b']').is_some() {
            return Some(out);
        }
        loop {
            self.ws();
            out.push(self.observation()?);
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                b']' => {
                    self.i += 1;
                    out.shrink_to_fit();
                    return Some(out);
                }
                _ => return None,
            }
        }
    }
}

/// The index of the first byte at or after `i` that ends a run of plain
/// string characters: a quote, a backslash or a control character (below
/// 0x20, which JSON refuses unescaped); `b.len()` when there is none.
///
/// Eight bytes at a time (SWAR): a byte equal to `c` is a zero byte of
/// `x ^ c·0x0101…`, and `(y − 0x0101…) & !y & 0x8080…` flags zero bytes of
/// `y` (and, for `y = x`, bytes below 0x20 with 0x2020… in place of
/// 0x0101…). A flag can be wrong only in a byte above a true one (the
/// borrow of the subtraction), so the lowest flag of the three is exact.
/// Measured on the grade end-to-end course (`docs/benchmarks.md`, issue 11):
/// the byte loop it replaces was a quarter of all instructions.
fn plain_run_end(b: &[u8], mut i: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const SPACES: u64 = ONES * 0x20;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    const QUOTES: u64 = ONES * b'"' as u64;
    const BACKSLASHES: u64 = ONES * b'\\' as u64;
    while let Some(chunk) = b.get(i..).and_then(<[u8]>::first_chunk::<8>) {
        let x = u64::from_le_bytes(*chunk);
        let q = x ^ QUOTES;
        let s = x ^ BACKSLASHES;
        let flags =
            (q.wrapping_sub(ONES) & !q | s.wrapping_sub(ONES) & !s | x.wrapping_sub(SPACES) & !x)
                & HIGHS;
        if flags != 0 {
            return i + (flags.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while let Some(c) = b.get(i) {
        if matches!(c, b'"' | b'\\' | 0..=0x1f) {
            break;
        }
        i += 1;
    }
    i
}

/// The fields of one observation as they are read.
#[derive(Default)]
struct Fields {
    date: Option<Date>,
    time: Option<TimeOfDay>,
    kind: Option<ObservationKind>,
    value: Option<ObsValue>,
    unit: Option<Unit>,
    attribution: Option<Attribution>,
    lineage: Option<Lineage>,
    person: Option<PersonRef>,
    method: Option<ChimerismMethod>,
    assay: Option<Box<str>>,
    sample: Option<Box<str>>,
    automated: Option<bool>,
    lod_percent: Option<Percent>,
    detected: Option<bool>,
    note: Option<Box<str>>,
}

/// [`typed`], remembering what a borrowed text gave in `seen`.
fn typed_seen<'a, T, const N: usize, const W: usize>(
    seen: &mut Seen<T, N, W>,
    s: &JStr<'a>,
) -> Option<T>
where
    T: Copy + Deserialize<'a>,
{
    let JStr::Borrowed(t) = s else {
        return typed(s);
    };
    if let Some(v) = seen.get(t) {
        return Some(v);
    }
    let v = typed(s)?;
    seen.put(t, v);
    Some(v)
}

/// Stores `v` in an empty slot (a repeated key gives up, as serde refuses it).
fn put<T>(slot: &mut Option<T>, v: Option<T>) -> Option<()> {
    if slot.is_some() {
        return None;
    }
    *slot = Some(v?);
    Some(())
}

fn text(v: Scalar<'_>) -> Option<JStr<'_>> {
    match v {
        Scalar::Str(s) => Some(s),
        _ => None,
    }
}

impl Fields {
    /// Sets the field `key` (every key of [`Observation`], nothing else).
    fn set(&mut self, key: &str, v: Scalar<'_>, memo: &mut Memo) -> Option<()> {
        // Byte patterns, not string literals: a length test and byte
        // compares instead of a `memcmp` call per key tried (issue 11).
        match *key.as_bytes() {
            [b'd', b'a', b't', b'e'] => put(&mut self.date, typed_seen(&mut memo.dates, &text(v)?)),
            [b't', b'i', b'm', b'e'] => put(&mut self.time, typed(&text(v)?)),
            [b'k', b'i', b'n', b'd'] => put(&mut self.kind, typed_seen(&mut memo.kinds, &text(v)?)),
            [b'v', b'a', b'l', b'u', b'e'] => put(
                &mut self.value,
                Some(match v {
                    Scalar::Num(n) => ObsValue::Number(n),
                    Scalar::Bool(b) => ObsValue::Bool(b),
                    Scalar::Str(s) => ObsValue::Category(s.into_string()),
                }),
            ),
            [b'u', b'n', b'i', b't'] => put(&mut self.unit, typed_seen(&mut memo.units, &text(v)?)),
            [
                b'a',
                b't',
                b't',
                b'r',
                b'i',
                b'b',
                b'u',
                b't',
                b'i',
                b'o',
                b'n',
            ] => put(&mut self.attribution, typed(&text(v)?)),
            [b'l', b'i', b'n', b'e', b'a', b'g', b'e'] => put(&mut self.lineage, typed(&text(v)?)),
            [b'p', b'e', b'r', b's', b'o', b'n'] => put(&mut self.person, typed(&text(v)?)),
            [b'm', b'e', b't', b'h', b'o', b'd'] => put(&mut self.method, typed(&text(v)?)),
            [b'a', b's', b's', b'a', b'y'] => put(&mut self.assay, text(v).map(JStr::into_boxed)),
            [b's', b'a', b'm', b'p', b'l', b'e'] => {
                put(&mut self.sample, text(v).map(JStr::into_boxed))
            }
            [b'n', b'o', b't', b'e'] => put(&mut self.note, text(v).map(JStr::into_boxed)),
            [b'a', b'u', b't', b'o', b'm', b'a', b't', b'e', b'd'] => match v {
                Scalar::Bool(b) => put(&mut self.automated, Some(b)),
                _ => None,
            },
            [b'd', b'e', b't', b'e', b'c', b't', b'e', b'd'] => match v {
                Scalar::Bool(b) => put(&mut self.detected, Some(b)),
                _ => None,
            },
            [
                b'l',
                b'o',
                b'd',
                b'_',
                b'p',
                b'e',
                b'r',
                b'c',
                b'e',
                b'n',
                b't',
            ] => match v {
                Scalar::Num(n) => put(&mut self.lod_percent, Percent::new(n).ok()),
                _ => None,
            },
            _ => None,
        }
    }

    fn build(self) -> Option<Observation> {
        Some(Observation {
            date: self.date?,
            time: self.time,
            kind: self.kind?,
            value: self.value?,
            unit: self.unit,
            attribution: self.attribution,
            lineage: self.lineage,
            person: self.person,
            method: self.method,
            assay: self.assay,
            sample: self.sample,
            automated: self.automated,
            lod_percent: self.lod_percent,
            detected: self.detected,
            note: self.note,
        })
    }
}

/// Skips one JSON value of any kind (strings, numbers, literals, nested
/// arrays and objects with their brackets matched); `None` when it is not
/// well formed enough to find its end.
fn skip_value(c: &mut Cursor<'_>) -> Option<()> {
    let mut stack: Vec<u8> = Vec::new();
    loop {
        c.ws();
        match c.peek()? {
            b'"' => {
                c.string()?;
            }
            open @ (b'[' | b'{') => {
                c.i += 1;
                stack.push(if open == b'[' { b']' } else { b'}' });
                continue;
            }
            close @ (b']' | b'}') => {
                if stack.pop()? != close {
                    return None;
                }
                c.i += 1;
            }
            b',' | b':' if !stack.is_empty() => {
                c.i += 1;
                continue;
            }
            _ => {
                c.scalar_or_null()?;
            }
        }
        if stack.is_empty() {
            return Some(());
        }
    }
}

impl Cursor<'_> {
    fn scalar_or_null(&mut self) -> Option<()> {
        if self.peek()? == b'n' {
            return self.literal(b"null");
        }
        self.scalar().map(|_| ())
    }
}

/// Finds the value of the top-level key `observations` and parses it:
/// the observations and the byte range of the array in `text`. `None`
/// when there is no such key or anything is unusual (the caller then
/// parses the whole document with serde).
pub(crate) fn observations(text: &str) -> Option<(Vec<Observation>, std::ops::Range<usize>)> {
    let mut c = Cursor::new(text);
    observations_key(&mut c)?;
    let start = c.i;
    let obs = c.observations()?;
    Some((obs, start..c.i))
}

/// Moves the cursor from the start of the document to the value of its
/// top-level key `observations` (past the colon and white space); `None`
/// when there is no such key or anything before it is unusual.
pub(crate) fn observations_key(c: &mut Cursor<'_>) -> Option<()> {
    c.ws();
    c.eat(OBJECT_OPEN)?;
    loop {
        c.ws();
        let key = c.string()?;
        // A key spelt with escapes could still mean `observations`.
        let JStr::Borrowed(key) = key else {
            return None;
        };
        c.ws();
        c.eat(b':')?;
        c.ws();
        if key == "observations" {
            return Some(());
        }
        skip_value(c)?;
        c.ws();
        c.eat(b',')?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The byte loop [`plain_run_end`] replaces.
    fn plain_run_end_bytewise(b: &[u8], mut i: usize) -> usize {
        while b
            .get(i)
            .is_some_and(|c| !matches!(c, b'"' | b'\\' | 0..=0x1f))
        {
            i += 1;
        }
        i
    }

    #[test]
    fn white_space_runs_of_every_length_and_mix_are_skipped_exactly() {
        let pieces: [&[u8]; 5] = [b" ", b"\n", b"\r", b"\t", b"    "];
        for n in 0..40usize {
            // n bytes of white space built from the pieces, then a `x`.
            let mut text = Vec::new();
            let mut k = n;
            while text.len() < n {
                text.extend_from_slice(pieces[k % pieces.len()]);
                k = (k * 7 + 3) % 1009;
            }
            text.truncate(n);
            let want = text.len();
            text.extend_from_slice(b"x  ");
            let t = std::str::from_utf8(&text).unwrap();
            for start in 0..=want {
                let mut c = Cursor::new(t);
                c.i = start;
                c.ws();
                assert_eq!(c.i, want, "{n} bytes {t:?} from {start}");
            }
        }
        // At the end of the text, and spaces only.
        let mut c = Cursor::new("           ");
        c.ws();
        assert_eq!(c.i, 11);
    }

    #[test]
    fn plain_run_end_finds_the_first_quote_backslash_or_control_byte() {
        // Every byte value at every offset of a 20-byte run (both sides of
        // each eight-byte word), after plain ASCII and after UTF-8 bytes
        // (0x80–0xff must never be flagged), from every start.
        for filler in [b'a', 0xc3, 0xff, 0x7f, 0x20, 0x21] {
            for at in 0..20 {
                for v in 0..=255u8 {
                    let mut b = vec![filler; 20];
                    b[at] = v;
                    for start in [0, 1, 7, 8, 9] {
                        assert_eq!(
                            plain_run_end(&b, start),
                            plain_run_end_bytewise(&b, start),
                            "filler {filler:#x}, byte {v:#x} at {at}, start {start}"
                        );
                    }
                }
            }
        }
        // Several specials in one word: the lowest wins.
        let b = b"ab\\\"\x01cdefgh";
        assert_eq!(plain_run_end(b, 0), 2);
        assert_eq!(plain_run_end(b"", 0), 0);
        assert_eq!(plain_run_end(b"abc", 5), 5);
    }

    fn via_serde(text: &str) -> Result<Vec<Observation>, serde_json::Error> {
        #[derive(Deserialize)]
        struct Doc {
            observations: Vec<Observation>,
        }
        serde_json::from_str::<Doc>(text).map(|d| d.observations)
    }

    /// The fast path either gives up or gives exactly what serde gives.
    fn same_as_serde(obs_json: &str) -> bool {
        let text = format!("{{\"observations\": {obs_json}}}");
        let fast = observations(&text).map(|(o, _)| o);
        let slow = via_serde(&text);
        match (&fast, &slow) {
            (Some(f), Ok(s)) => {
                assert_eq!(f, s, "{obs_json}");
                // Same bits, so -0.0 and 0.0 are told apart.
                for (a, b) in f.iter().zip(s) {
                    if let (Some(x), Some(y)) = (a.number(), b.number()) {
                        assert_eq!(x.to_bits(), y.to_bits(), "{obs_json}");
                    }
                }
                true
            }
            (Some(f), Err(e)) => panic!("fast path accepted what serde refuses ({e}): {f:?}"),
            (None, _) => false,
        }
    }

    #[test]
    fn common_observations_take_the_fast_path_with_serde_results() {
        for o in [
            r#"[{"date": "2024-03-01", "kind": "anc", "value": 0.4, "unit": "10^9/L"}]"#,
            r#"[{"date":"2024-03-01","time":"07:30","kind":"temperature","value":38.5,"unit":"Cel"}]"#,
            r#"[{"date": "2024-03-01", "kind": "skin_bullae", "value": true, "attribution": "gvhd"}]"#,
            r#"[{"date": "2024-03-01", "kind": "consciousness", "value": "voice", "note": "a \"quoted\" note \u00b5 \ud83d\ude00"}]"#,
            r#"[{"date": "2024-03-01", "kind": "chimerism", "value": 97, "unit": "%", "lineage": "cd3", "person": "D1", "method": "str", "assay": "GlobalFiler", "sample": "S-1", "automated": false}]"#,
            r#"[{"date": "2024-03-01", "kind": "chimerism", "value": 0.31, "unit": "%", "lineage": "cd3", "person": "recipient", "method": "ngs", "lod_percent": 0.12, "detected": false}]"#,
            r#"[{"date": "2024-03-01", "kind": "bilirubin", "value": 2.5e1, "unit": "\u00b5mol/L"}]"#,
            r#"[{"date": "2024-03-01", "kind": "anc", "value": -0, "unit": "10^9/L"}]"#,
            r#"[{"date": "2024-03-01", "kind": "anc", "value": 18446744073709551617, "unit": "10^9/L"}]"#,
            r#"[{"date": "2024-03-01", "kind": "anc", "value": 0.30000000000000004441, "unit": "10^9/L"}]"#,
            r#"[{"date": "2024-03-01", "kind": "anc", "value": 1e-400, "unit": "10^9/L"}]"#,
            r#"[{"date": "2024-03-01", "kind": "hb", "value": 9, "unit": "g/dL"}, {"value": 3, "kind": "ice_score", "date": "2024-03-02"}]"#,
            " [ ] ",
        ] {
            assert!(same_as_serde(o), "fast path gave up on {o}");
        }
    }

    #[test]
    fn anything_unusual_gives_up_and_never_disagrees() {
        for o in [
            r#"[{"date": "2024-03-01", "kind": "anc", "value": null, "unit": "10^9/L"}]"#,
            r#"[{"date": "2024-03-01", "kind": "anc", "value": 1, "unit": null}]"#,
            r#"[{"date": "2024-03-01", "kind": "anc", "value": [1], "unit": "10^9/L"}]"#,
            r#"[{"date": "2024-03-01", "kind": "anc", "value": 1, "value": 2}]"#,
            r#"[{"date": "2024-03-01", "kind": "anc", "value": 1, "colour": "red"}]"#,
            r#"[{"date": "2024-03-01", "kind": "chimerism", "value": 1, "lod_percent": 150}]"#,
            r#"[{"date": "2024-03-01", "kind": "chimerism", "value": 1, "detected": "no"}]"#,
            r#"[{"date": "2024-03-01", "kind": "anc"}]"#,
            r#"[{"date": "2024-02-30", "kind": "anc", "value": 1}]"#,
            r#"[{"date": "2024-03-01", "kind": "ancc", "value": 1}]"#,
            r#"[{"date": "2024-03-01", "kind": "anc", "value": 1e400, "unit": "10^9/L"}]"#,
            r#"[{"date": "2024-03-01", "kind": "anc", "value": 01, "unit": "10^9/L"}]"#,
            r#"[{"date": "2024-03-01", "kind": "anc", "value": 1., "unit": "10^9/L"}]"#,
            r#"[{"date": "2024-03-01", "kind": "anc", "value": .5, "unit": "10^9/L"}]"#,
            r#"[{"date": "2024-03-01", "kind": "anc", "value": +1, "unit": "10^9/L"}]"#,
            r#"[{"date": "2024-03-01", "kind": "anc", "value": 1, "unit": "furlong"}]"#,
            r#"[{"date": "2024-03-01", "kind": "seizure", "value": "a\ud800b"}]"#,
            r#"[{"date": "2024-03-01", "kind": "seizure", "value": "tab	inside"}]"#,
            r#"[{"date": "2024-03-01", "kind": "anc", "value": 1, "automated": "yes"}]"#,
            r#"[{"date": "2024-03-01", "kind": "chimerism", "value": 1, "person": " "}]"#,
            r#"[{"date": "2024-03-01", "kind": "anc", "value": 1},]"#,
            r#"[{"date": "2024-03-01", "kind": "anc", "value": 1,}]"#,
            r#"[{"date": "2024-03-01", "kind": "anc", "value": 1}"#,
            r#"[{}]"#,
            r#"[1]"#,
            r#"{}"#,
        ] {
            assert!(!same_as_serde(o), "fast path took {o}");
        }
    }

    /// Strings of every shape the scan meets — runs crossing the eight-byte
    /// words, escapes, multi-byte characters, raw control bytes, a stray
    /// quote — in values, notes and keys, with white space of every kind
    /// between the tokens: the fast path agrees with serde or gives up.
    #[test]
    fn random_strings_and_white_space_agree_with_serde() {
        let pieces = [
            "a",
            "bcdefgh",
            "0123456789abcdef",
            "\\\"",
            "\\\\",
            "\\n",
            "\\/",
            "\\u00e9",
            "\\ud83d\\ude00",
            "é",
            "😀",
            "\u{1}",
            "\t",
            "\u{7f}",
            "\"",
            " ",
            "%",
        ];
        let spaces = ["", " ", "\n", "\r\n", "\t", "   ", "\n        "];
        let mut rng = graftwatch_core::SeededRng::new(0x9e37_79b9_7f4a_7c15);
        let text = |rng: &mut graftwatch_core::SeededRng| {
            let n = rng.index(6);
            (0..n)
                .map(|_| pieces[rng.index(pieces.len())])
                .collect::<String>()
        };
        let mut fast = 0;
        for _ in 0..3000 {
            let ws = |rng: &mut graftwatch_core::SeededRng| spaces[rng.index(spaces.len())];
            let key = if rng.chance(0.1) {
                text(&mut rng)
            } else {
                "note".into()
            };
            let (w1, w2, w3, w4) = (ws(&mut rng), ws(&mut rng), ws(&mut rng), ws(&mut rng));
            let o = format!(
                "[{w1}{{{w2}\"date\":{w3}\"2024-03-01\",{w4}\"kind\":\"seizure\",\"value\":{w1}\"{}\",\"{key}\"{w2}:{w3}\"{}\"{w4}}}{w1}]",
                text(&mut rng),
                text(&mut rng),
            );
            fast += usize::from(same_as_serde(&o));
        }
        assert!(fast > 300, "the fast path took only {fast} of 3000");
    }

    /// Remembered dates, kinds and units give what converting them gives,
    /// with every kind, unit and many dates interleaved (so texts share
    /// slots and replace each other) and texts that do not convert.
    #[test]
    fn remembered_conversions_agree_with_serde() {
        let kinds: Vec<&str> = ObservationKind::all().iter().map(|k| k.as_str()).collect();
        let units: Vec<&str> = Unit::ALL.iter().map(|u| u.as_str()).collect();
        assert!(kinds.len() > 40 && units.len() > 10);
        let mut rng = graftwatch_core::SeededRng::new(0x5851_f42d_4c95_7f2d);
        let mut objs = Vec::new();
        for i in 0..3_000 {
            let kind = kinds[(rng.next_u64() % kinds.len() as u64) as usize];
            let day = 1 + rng.next_u64() % 28;
            objs.push(format!(
                r#"{{"date": "2024-0{}-{day:02}", "kind": "{kind}", "value": "x"}}"#,
                1 + i % 9
            ));
        }
        let text = format!("[{}]", objs.join(","));
        assert!(same_as_serde(&text), "category values of every kind");
        // One kind, one unit at a time: numbers with every unit, some
        // refused (the scanner gives up, as serde refuses them).
        for u in &units {
            let o = format!(
                r#"[{{"date": "2024-03-01", "kind": "anc", "value": 1, "unit": "{u}"}}, {{"date": "2024-03-01", "kind": "anc", "value": 1, "unit": "10^9/L"}}]"#
            );
            same_as_serde(&o);
        }
        let mixed: Vec<String> = (0..400)
            .map(|i| {
                let u = units[i * 7 % units.len()];
                format!(
                    r#"{{"date": "2024-03-01", "kind": "temperature", "value": 1, "unit": "{u}"}}"#
                )
            })
            .collect();
        same_as_serde(&format!("[{}]", mixed.join(",")));
        assert!(!same_as_serde(
            r#"[{"date": "2024-03-01", "kind": "anc", "value": 1}, {"date": "2024-02-30", "kind": "anc", "value": 1}]"#
        ));
    }

    /// The fast path of numbers gives `str::parse`'s bits on decimals of
    /// every length, precision and sign, at and around its limits.
    #[test]
    fn numbers_are_parsed_as_str_parse_parses_them() {
        let mut rng = graftwatch_core::SeededRng::new(0x9e37_79b9_7f4a_7c15);
        let mut next = || rng.next_u64();
        let mut cases: Vec<String> = [
            "0",
            "-0",
            "0.0",
            "-0.0",
            "1",
            "0.1",
            "0.2",
            "0.3",
            "9007199254740992",
            "9007199254740993",
            "9007199254740991.5",
            "0.30000000000000004",
            "1234567890123456789",
            "12345678901234567890",
            "0.0000000000000000000001",
            "0.00000000000000000000001",
            "4.35",
            "98.6",
            "1e5",
            "2.5E-3",
            "-7.125e+2",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for _ in 0..20_000 {
            let int = next() % 10u64.pow((next() % 12) as u32 + 1);
            let frac_len = (next() % 20) as usize;
            let frac: String = (0..frac_len)
                .map(|_| char::from(b'0' + (next() % 10) as u8))
                .collect();
            let sign = if next() % 4 == 0 { "-" } else { "" };
            cases.push(if frac.is_empty() {
                format!("{sign}{int}")
            } else {
                format!("{sign}{int}.{frac}")
            });
        }
        for c in cases {
            let mut cur = Cursor::new(&c);
            let got = cur.number().expect("a number");
            assert_eq!(cur.i, c.len(), "{c}");
            let want: f64 = c.parse().expect("parses");
            assert_eq!(got.to_bits(), want.to_bits(), "{c}");
        }
    }

    #[test]
    fn the_array_is_found_at_the_top_level_only() {
        let text = r#"{"patient": {"observations": [1, "]"], "x": {"y": [true, null, -1.5e3]}}, "events": [], "observations": [{"date": "2024-03-01", "kind": "anc", "value": 1, "unit": "/uL"}] }"#;
        let (obs, range) = observations(text).expect("fast path");
        assert_eq!(obs.len(), 1);
        assert!(text[range].starts_with("[{\"date\""));
        // Mismatched brackets before it: give up.
        assert!(observations(r#"{"a": [1}, "observations": []}"#).is_none());
        assert!(observations(r#"{"a": 1 "observations": []}"#).is_none());
        assert!(observations(r#"{"observ\u0061tions": []}"#).is_none());
        assert!(observations(r#"{"format": "x"}"#).is_none());
    }
}
