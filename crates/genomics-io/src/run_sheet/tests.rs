use super::*;

const HEADER: &str =
    "sample,patient,role,person,input,lineage,specimen,date,sort purity,control type";

fn sheet(rows: &[&str]) -> String {
    format!("{HEADER}\n{}\n", rows.join("\n"))
}

fn err(text: &str) -> String {
    parse_run_sheet(text.as_bytes(), "run.csv")
        .unwrap_err()
        .to_string()
}

#[test]
fn run_sheet_with_two_patients_and_controls() {
    let s = parse_run_sheet(
        sheet(&[
            ",P1,recipient,,refs.txt:R1,,,,,",
            ",P1,donor,D1,refs.txt:D1,,,,,",
            "S1,P1,sample,,run.txt,cd3,pb,2025-01-02,96%,",
            ",P2,patient,,refs.txt:R2,,,,,",
            ",P2,donor,D2,refs.txt:D2,,,,,",
            "S2,P2,sample,,run.txt:S2-tube,,bm,2025-01-03,,",
            "NTC,,control,,run.txt,,,,,ntc",
        ])
        .as_bytes(),
        "run.csv",
    )
    .unwrap();
    assert_eq!(
        (s.delimiter, s.encoding),
        (Delimiter::Comma, TextEncoding::Utf8)
    );
    assert_eq!(s.rows.len(), 7);
    let roles: Vec<Role> = s.rows.iter().map(|r| r.role).collect();
    use Role::*;
    assert_eq!(
        roles,
        [Recipient, Donor, Sample, Recipient, Donor, Sample, Control]
    );
    let names: Vec<&str> = s.rows.iter().map(RunSheetRow::name).collect();
    assert_eq!(
        names,
        ["recipient", "D1", "S1", "recipient", "D2", "S2", "NTC"]
    );
    let s1 = &s.rows[2];
    assert_eq!(s1.line, 4);
    assert_eq!(
        (s1.lineage, s1.purity, s1.specimen),
        (
            Some(Lineage::Cd3),
            Some(0.96),
            Some(Specimen::PeripheralBlood)
        )
    );
    assert_eq!(s1.date, Some("2025-01-02".parse().unwrap()));
    assert_eq!(s1.patient.as_deref(), Some("P1"));
    assert_eq!(s1.input, "run.txt");
    let s2 = &s.rows[5];
    assert_eq!((s2.lineage, s2.specimen), (None, Some(Specimen::Marrow)));
    assert_eq!(s2.input, "run.txt:S2-tube");
    assert_eq!(s.rows[6].control, Some(ControlType::Negative));
    assert_eq!(s.rows[6].patient, None);
    assert_eq!(s.rows[0].person, None);
}

#[test]
fn purity_percent_or_fraction() {
    assert_eq!(parse_purity("96").unwrap(), 0.96);
    assert_eq!(parse_purity(" 96 % ").unwrap(), 0.96);
    assert_eq!(parse_purity("0.9").unwrap(), 0.9);
    assert_eq!(parse_purity("1").unwrap(), 1.0);
    // with the sign it is always a percentage
    assert_eq!(parse_purity("1%").unwrap(), 0.01);
    assert_eq!(parse_purity("0.85%").unwrap(), 0.0085);
    assert_eq!(parse_purity("100%").unwrap(), 1.0);
    assert!(parse_purity("100.1%").is_err());
    assert_eq!(
        parse_purity("0").unwrap_err().to_string(),
        "'0' is not a purity; expected a percentage above 0 and at most 100"
    );
    assert!(matches!(
        parse_purity("120"),
        Err(PurityError::OutOfRange(_))
    ));
    assert!(matches!(
        parse_purity("NaN"),
        Err(PurityError::OutOfRange(_))
    ));
    assert_eq!(
        parse_purity("abc").unwrap_err().to_string(),
        "'abc' is not a purity; expected a percentage like 96 or 96%"
    );
}

#[test]
fn the_id_a_role_needs() {
    let base = [",P1,recipient,,r.txt,,,,,", ",P1,donor,D1,r.txt,,,,,"];
    let with = |row: &str| {
        let mut rows = base.to_vec();
        rows.push(row);
        err(&sheet(&rows))
    };
    assert_eq!(
        with(",P1,donor,,r.txt,,,,,"),
        "run.csv: line 4, column 'person': empty; a donor row needs the donor id"
    );
    assert_eq!(
        with(",P1,sample,D1,r.txt,,,,,"),
        "run.csv: line 4, column 'sample': empty; expected the sample id"
    );
    assert_eq!(
        with("NA,P1,control,,r.txt,,,,,ntc"),
        "run.csv: line 4, column 'sample': empty; expected the sample id"
    );
    assert_eq!(
        with("S1,P1,Tube,D1,r.txt,,,,,"),
        "run.csv: line 4, column 'role': 'tube' is not a role; expected recipient, donor, sample or control"
    );
    assert_eq!(
        with("S1,P1,-,D1,r.txt,,,,,"),
        "run.csv: line 4, column 'role': '' is not a role; expected recipient, donor, sample or control"
    );
    // An empty input is reported before the role.
    assert_eq!(
        with("S1,P1,tube,,NA,,,,,"),
        "run.csv: line 4, column 'input': empty; expected FILE:SAMPLE or FILE"
    );
    // A short row: its missing cells are empty.
    assert_eq!(
        with("S1,P1,sample"),
        "run.csv: line 4, column 'input': empty; expected FILE:SAMPLE or FILE"
    );
}

#[test]
fn cell_messages_name_line_column_and_value() {
    let row = |cells: &str| err(&sheet(&[&format!("S1,P1,sample,,r.txt,{cells}")]));
    assert_eq!(
        row("cd3,pb,2025-13-45,,"),
        "run.csv: line 2, column 'date': '2025-13-45': '2025-13-45' is not a calendar date (month 1-12, day valid for the month, year 1900-2200); expected YYYY-MM-DD"
    );
    assert_eq!(
        row("cd3,liver,,,"),
        "run.csv: line 2, column 'specimen': unknown specimen 'liver'; expected peripheral_blood (pb) or marrow (bm)"
    );
    assert_eq!(
        row("cd3,pb,,150,"),
        "run.csv: line 2, column 'sort purity': '150' is not a purity; expected a percentage above 0 and at most 100"
    );
    assert!(
        row("tcells,,,,")
            .starts_with("run.csv: line 2, column 'lineage': unknown lineage 'tcells'"),
        "{}",
        row("tcells,,,,")
    );
    let e = parse_run_sheet(sheet(&["C1,,control,,r.txt,,,,,maybe"]).as_bytes(), "x").unwrap_err();
    match &e {
        RunSheetError::Cell {
            column,
            value,
            line,
            ..
        } => {
            assert_eq!(
                (*column, value.as_str(), *line),
                ("control type", "maybe", 2)
            )
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        e.to_string(),
        "x: line 2, column 'control type': unknown control type 'maybe'; expected positive, negative (ntc, no_template) or ladder"
    );
    // A control row needs its type.
    assert!(
        err(&sheet(&["C1,,control,,r.txt,,,,,"]))
            .contains("column 'control type': unknown control type ''")
    );
}

#[test]
fn cells_of_other_roles_are_not_read() {
    let s = parse_run_sheet(
        sheet(&[
            ",P1,recipient,,r.txt,tcells,liver,yesterday,abc,maybe",
            "S1,P1,sample,,r.txt,,,,,maybe",
            "C1,,control,,r.txt,tcells,liver,yesterday,abc,positive",
        ])
        .as_bytes(),
        "run.csv",
    )
    .unwrap();
    assert!(
        s.rows
            .iter()
            .all(|r| r.lineage.is_none() && r.date.is_none())
    );
    assert_eq!(
        s.rows.iter().map(|r| r.control).collect::<Vec<_>>(),
        [None, None, Some(ControlType::Positive)]
    );
}

/// A sheet cut inside its last row is refused (its missing cells would
/// read as empty); a complete last row without a line end is read, with
/// a note (audit 2026-12-06: a cut sheet lost its lineage and date).
#[test]
fn a_sheet_cut_short_is_refused() {
    let full = sheet(&[
        "R,P1,recipient,,r.txt,,,,,",
        "S,P1,sample,,s.txt,cd33,pb,2025-02-01,95,",
    ]);
    let cut = &full[..full.find(",cd33").unwrap() + 4];
    assert_eq!(
        err(cut),
        "run.csv: truncated: the last line (3) has no line end and 6 of the header's 10 cells (file cut short); save or copy the run sheet again"
    );
    let whole_row = full.trim_end();
    let read = parse_run_sheet(whole_row.as_bytes(), "run.csv").unwrap();
    assert_eq!(read.rows.len(), 2);
    assert_eq!(
        read.notes,
        [
            "run.csv: line 3: the run sheet's last line has no line end: read as it is; if the file was cut short, its last value may be incomplete"
        ]
    );
    assert!(
        parse_run_sheet(full.as_bytes(), "run.csv")
            .unwrap()
            .notes
            .is_empty()
    );
    // A final comment without a line end is no row.
    let commented = format!("{full}# end");
    let read = parse_run_sheet(commented.as_bytes(), "run.csv").unwrap();
    assert!(read.notes.is_empty());
}

#[test]
fn file_level_messages() {
    assert_eq!(err(""), "run.csv: empty run sheet; expected a header line");
    assert_eq!(
        err("# a comment\n\n \n"),
        "run.csv: empty run sheet; expected a header line"
    );
    assert_eq!(
        err(&format!("{HEADER}\n\n# nothing\n")),
        "run.csv: header only, no rows; expected one row per tube"
    );
    assert_eq!(
        err("sample,patient,person,input\nS,P,,x.txt\n"),
        "run.csv: line 1: no 'role' column (found: sample, patient, person, input); expected the columns sample, patient, role, person, input, lineage, specimen, date, sort purity, control type"
    );
    assert_eq!(
        err("sample;Role;person\nS;sample;\n"),
        "run.csv: line 1: no 'input' column (found: sample, Role, person); expected the columns sample, patient, role, person, input, lineage, specimen, date, sort purity, control type"
    );
    assert_eq!(
        parse_run_sheet(b"role,input\n\x00\xff,x\n", "b.csv")
            .unwrap_err()
            .to_string(),
        "b.csv: line 2: byte 0xFF is not valid UTF-8, UTF-16 or Latin-1 text"
    );
    let e = read_run_sheet(Path::new("/nonexistent/graftwatch/run.csv")).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("/nonexistent/graftwatch/run.csv: cannot read: "),
        "{e}"
    );
}

#[test]
fn encodings_delimiters_comments_and_column_names() {
    let text = "# plate 7\r\n\r\nSample ID;Patient-ID;ROLE;Donor;File;Lineage;Specimen Type;Collection Date;Purity;Control;Sequencing run\r\n\
                ;P1;Recipient;;refs.txt:R;;;;;;\r\n\
                # skipped\r\n\
                \"S;1\";P1;sample;;\"a.fq, b.fq\";whole blood;bone-marrow;2025-02-03;95;;A\r\n";
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    for (bytes, enc) in [
        (text.as_bytes().to_vec(), TextEncoding::Utf8),
        (utf16, TextEncoding::Utf16Le),
    ] {
        let s = parse_run_sheet(&bytes, "s.csv").unwrap();
        assert_eq!((s.encoding, s.delimiter), (enc, Delimiter::Semicolon));
        assert_eq!(s.rows.len(), 2);
        let r = &s.rows[1];
        assert_eq!(r.line, 6);
        assert_eq!(r.sample.as_deref(), Some("S;1"));
        assert_eq!(r.input, "a.fq, b.fq");
        assert_eq!(r.lineage, Some(Lineage::WholeBlood));
        assert_eq!(r.specimen, Some(Specimen::Marrow));
        assert_eq!(r.purity, Some(0.95));
        assert_eq!(r.run.as_deref(), Some("A"));
    }
    let tsv = "role\tinput\tsample\nsample\tx.txt\tS\n";
    assert_eq!(
        parse_run_sheet(tsv.as_bytes(), "t").unwrap().delimiter,
        Delimiter::Tab
    );
}

#[test]
fn the_callers_input_check_runs_in_row_order() {
    let text = sheet(&[
        ",P1,recipient,,refs.txt:R1,,,,,",
        "S1,P1,sample,,bad.txt,cd3,pb,2025-01-02,,",
        "S2,P1,sample,,run.txt,cd3,pb,not-a-date,,",
    ]);
    let mut seen = Vec::new();
    let mut check = |r: &RowInput<'_>| {
        seen.push((
            r.line,
            r.role,
            r.name.to_string(),
            r.sample.map(str::to_string),
        ));
        if r.input == "bad.txt" {
            Err("not a file this command reads".to_string())
        } else {
            Ok(())
        }
    };
    let e = parse_run_sheet_with(text.as_bytes(), "run.csv", &mut check).unwrap_err();
    assert_eq!(
        e.to_string(),
        "run.csv: line 3, column 'input': not a file this command reads"
    );
    assert_eq!(
        seen,
        [
            (2, Role::Recipient, "recipient".into(), None),
            (3, Role::Sample, "S1".into(), Some("S1".into())),
        ]
    );
    // Within a row, the input is checked before the sample's cells.
    let text = sheet(&["S1,P1,sample,,bad.txt,cd3,pb,not-a-date,,"]);
    let e =
        parse_run_sheet_with(text.as_bytes(), "run.csv", &mut |_| Err("no".into())).unwrap_err();
    assert!(matches!(e, RunSheetError::Input { line: 2, .. }), "{e}");
    // Without a check the date is the error.
    assert!(err(&text).contains("column 'date'"));
}

#[test]
fn arbitrary_bytes_never_panic() {
    // A cheap stand-in for the fuzz target: every prefix of a sheet, and
    // the sheet with each byte replaced.
    let text = sheet(&[
        ",P1,recipient,,refs.txt:R1,,,,,",
        "S1,P1,sample,,\"run.txt\",cd3,pb,2025-01-02,96%,",
        "NTC,,control,,run.txt,,,,,ntc",
    ]);
    let b = text.as_bytes();
    for n in 0..=b.len() {
        let _ = parse_run_sheet(&b[..n], "p");
    }
    for i in 0..b.len() {
        for x in [0u8, b'"', b',', b'\n', 0xFF, b';', b'\t'] {
            let mut m = b.to_vec();
            m[i] = x;
            let _ = parse_run_sheet(&m, "p");
        }
    }
}
