use super::{RecordError, Records};

/// Every record of `input` read through a reader that hands out at most
/// `step` bytes per read (so records cross buffer fills): (line, fields),
/// or the error.
fn records(input: &[u8], step: usize) -> Result<Vec<(u64, Vec<String>)>, String> {
    let mut r = Records::new(Trickle { data: input, step });
    r.buf = vec![0; 8]; // a tiny buffer: every path of `fill` is taken
    let mut out = Vec::new();
    loop {
        match r.read() {
            Ok(Some(rec)) => out.push((
                rec.line(),
                rec.fields().into_iter().map(String::from).collect(),
            )),
            Ok(None) => return Ok(out),
            Err(RecordError::Utf8 { line }) => return Err(format!("utf8 at {line}")),
            Err(RecordError::Nul { line }) => return Err(format!("nul at {line}")),
            Err(RecordError::UnclosedQuote { line }) => return Err(format!("unclosed at {line}")),
            Err(RecordError::Io(e)) => return Err(e.to_string()),
        }
    }
}

struct Trickle<'a> {
    data: &'a [u8],
    step: usize,
}

impl std::io::Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.step.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

/// The fields the `csv` crate reads with the settings the course reader
/// used before (flexible, so that every record is compared).
fn csv_crate(input: &[u8]) -> Vec<Vec<String>> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .comment(Some(b'#'))
        .from_reader(input);
    rdr.records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect()
}

fn fields_only(v: Vec<(u64, Vec<String>)>) -> Vec<Vec<String>> {
    v.into_iter().map(|(_, f)| f).collect()
}

#[test]
fn same_records_as_the_csv_crate() {
    let alphabet: &[&[u8]] = &[
        b"a",
        b"b",
        b" ",
        b",",
        b"\"",
        b"\"\"",
        b"\r",
        b"\n",
        b"\r\n",
        b"#",
        b"\xc3\xa9",
        b"x1",
    ];
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for case in 0..20_000 {
        let len = (next() % 24) as usize;
        let mut input = Vec::new();
        if case % 7 == 0 {
            input.extend_from_slice(b"\xef\xbb\xbf");
        }
        for _ in 0..len {
            input.extend_from_slice(alphabet[(next() % alphabet.len() as u64) as usize]);
        }
        let mut want = csv_crate(&input);
        for step in [1, 3, 1 << 20] {
            let got = match records(&input, step) {
                Ok(got) => fields_only(got),
                // The input ends inside quotes: the crate read the rest of
                // the input as the field; here it is an error.
                Err(e) if e.starts_with("unclosed at") => {
                    assert!(input.contains(&b'"'), "{e}");
                    continue;
                }
                Err(e) => panic!("{e}"),
            };
            // The crate's one known extra: a comment that ends the input
            // without a line feed gives it a record of one empty field.
            if want.len() == got.len() + 1 && want.last() == Some(&vec![String::new()]) {
                assert!(input.contains(&b'#'));
                want.pop();
            }
            assert_eq!(
                got,
                want,
                "{:?} step {step}",
                String::from_utf8_lossy(&input)
            );
        }
    }
}

#[test]
fn lines_are_the_lines_records_start_on() {
    let cases: &[(&str, &[u64])] = &[
        ("h,k\na,b\nc,d\n", &[1, 2, 3]),
        ("h,k\r\na,b\r\nc,d\r\n", &[1, 2, 3]),
        ("h,k\ra,b\rc,d", &[1, 2, 3]),
        ("h,k\n\n\na,b\n# c\nc,d", &[1, 4, 6]),
        ("# one\r\n# two\r\nh,k\r\n\r\na,b", &[3, 5]),
        ("h,k\n\"x\ny\",b\nc,d\n", &[1, 2, 4]),
        ("h,k\n\"x\r\ny\",b\r\nc,d\r\n", &[1, 2, 4]),
    ];
    for (input, lines) in cases {
        for step in [1, 2, 64] {
            let got: Vec<u64> = records(input.as_bytes(), step)
                .unwrap()
                .into_iter()
                .map(|(l, _)| l)
                .collect();
            assert_eq!(&got, lines, "{input:?} step {step}");
        }
    }
}

#[test]
fn a_comment_at_the_end_of_the_input_is_no_record() {
    for input in ["h,k\n#c", "h,k\r\n#c", "h,k\r#c\rx"] {
        assert_eq!(records(input.as_bytes(), 2).unwrap().len(), 1, "{input:?}");
        assert_eq!(
            csv_crate(input.as_bytes()).len(),
            2,
            "{input:?}: the crate's extra record"
        );
    }
}

#[test]
fn quoted_fields_unescape_and_keep_separators() {
    let got = records(b"\"a,b\",\"say \"\"hi\"\"\",\"\"\n\"x\"y,z", 5).unwrap();
    assert_eq!(
        fields_only(got),
        vec![vec!["a,b", "say \"hi\"", ""], vec!["xy", "z"]]
    );
}

#[test]
fn a_file_ending_inside_quotes_is_an_error() {
    assert_eq!(
        records(b"h,k\na,\"cut\nshort", 3),
        Err("unclosed at 2".to_string())
    );
    assert_eq!(
        records(b"h,k\na,\"x\"\"", 3),
        Err("unclosed at 2".to_string()),
        "an escaped quote does not close"
    );
    assert!(records(b"h,k\na,\"closed\"", 3).is_ok());
}

#[test]
fn not_utf8_names_the_line() {
    assert_eq!(records(b"h\nok\n\xff\n", 4), Err("utf8 at 3".to_string()));
}

#[test]
fn a_nul_byte_names_the_line() {
    // UTF-16 LE without a byte-order mark: ASCII with a 0 after each byte.
    assert_eq!(records(b"r\0e\0c\0\n\0", 4), Err("nul at 1".to_string()));
    assert_eq!(records(b"h\nok\na\0b\n", 3), Err("nul at 3".to_string()));
}

#[test]
fn a_record_larger_than_the_buffer_is_read_whole() {
    let long = "v".repeat(100_000);
    let input = format!("h,k\n{long},\"{long}\"\n");
    let got = records(input.as_bytes(), 7_000).unwrap();
    assert_eq!(got[1].1, vec![long.clone(), long]);
}
