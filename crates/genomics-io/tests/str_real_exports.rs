//! Every real public export in `tests/data/str-real/` is read without a
//! refusal, in every encoding a Windows lab PC may write it in.

use std::path::{Path, PathBuf};

use graftwatch_chimerism::str::Locus;
use graftwatch_genomics_io::genemapper::{
    GeneMapperOptions, GeneMapperTable, ReadNoteCode, parse_genemapper, read_genemapper,
};
use graftwatch_genomics_io::peak_text::{Delimiter, TextEncoding};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/str-real")
}

fn real_files() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv" || e == "txt"))
        .collect();
    v.sort();
    v
}

fn read(name: &str) -> GeneMapperTable {
    read_genemapper(&dir().join(name), GeneMapperOptions::default()).unwrap()
}

#[test]
fn every_real_export_is_read() {
    let files = real_files();
    assert!(files.len() >= 8, "{files:?}");
    let mut refused = Vec::new();
    for f in &files {
        match read_genemapper(f, GeneMapperOptions::default()) {
            Ok(t) => assert!(!t.samples.is_empty(), "{}", f.display()),
            Err(e) => refused.push(e.to_string()),
        }
    }
    assert!(refused.is_empty(), "refused: {refused:#?}");
}

#[test]
fn every_real_export_is_read_in_utf16_and_with_a_bom() {
    for f in real_files() {
        let text = std::fs::read_to_string(&f).unwrap();
        let plain = parse_genemapper(&text, &f, GeneMapperOptions::default()).unwrap();
        let tmp = std::env::temp_dir().join(format!(
            "gw-str-real-{}-{}",
            std::process::id(),
            f.file_name().unwrap().to_string_lossy()
        ));
        for (enc, bytes) in [
            (TextEncoding::Utf16Le, {
                let mut b = vec![0xFF, 0xFE];
                b.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
                b
            }),
            (TextEncoding::Utf16Be, {
                let mut b = vec![0xFE, 0xFF];
                b.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
                b
            }),
            (TextEncoding::Utf8Bom, {
                let mut b = vec![0xEF, 0xBB, 0xBF];
                b.extend_from_slice(text.as_bytes());
                b
            }),
        ] {
            std::fs::write(&tmp, bytes).unwrap();
            let t = read_genemapper(&tmp, GeneMapperOptions::default()).unwrap();
            assert_eq!(t.encoding, enc, "{}", f.display());
            assert_eq!(t.samples, plain.samples, "{} as {enc:?}", f.display());
        }
        std::fs::remove_file(&tmp).ok();
    }
}

#[test]
fn genemapper_idx_export_with_many_off_ladder_peaks() {
    let t = read("strvalidator_set3_excerpt.txt");
    assert_eq!(t.delimiter, Delimiter::Tab);
    let a = t.profile("03-A2.1").unwrap();
    // D10S1248: 11 peaks, 6 of them off-ladder, all kept.
    let p = a.peaks(Locus::D10s1248);
    assert_eq!(p.len(), 11);
    assert_eq!(p.iter().filter(|x| x.allele.is_off_ladder()).count(), 6);
    let ol = t
        .notes
        .iter()
        .filter(|n| n.code == ReadNoteCode::OffLadder)
        .count();
    // pos. control AMEL 1; 03-A2.1: D3S1358 5, TH01 3, D10S1248 6, D1S1656 6,
    // D2S1338 5, D16S539 1, vWA 4, FGA 1, D2S441 6.
    assert_eq!(ol, 1 + 5 + 3 + 6 + 6 + 5 + 1 + 4 + 1 + 6);
    // Saturated D2S441 peak is read as exported.
    assert!(
        a.peaks(Locus::D2s441)
            .iter()
            .any(|x| x.height == Some(31814.0))
    );
    // SE33 and the empty negative control.
    assert_eq!(
        t.profile("01-Pos.ktr.__").unwrap().peaks(Locus::Se33).len(),
        5
    );
    let neg = t.profile("02-Neg.ktr.__").unwrap();
    assert_eq!(neg.loci.len(), 17);
    assert!(neg.loci.values().all(Vec::is_empty));
}

#[test]
fn euroformix_tables_comma_semicolon_and_genotype_only() {
    let g = read("euroformix_GF_evid.csv");
    assert_eq!(g.delimiter, Delimiter::Tab);
    assert_eq!(g.profile("evid4p").unwrap().peaks(Locus::Se33).len(), 13);
    let r = read("euroformix_GF_refs.csv");
    assert!(r.genotype_only);
    assert_eq!(r.delimiter, Delimiter::Comma);
    assert_eq!(r.samples.len(), 4);
    // Homozygote written twice is one allele.
    assert_eq!(r.profile("K48").unwrap().peaks(Locus::Csf1po).len(), 1);
    let lt = read("euroformix_ESX17_evids_LTDNA.csv");
    assert_eq!(lt.delimiter, Delimiter::Semicolon);
    assert!(
        lt.profile("stain80")
            .unwrap()
            .peaks(Locus::D16s539)
            .is_empty()
    );
    let refs = read("strvalidator_ref3.txt");
    assert_eq!(refs.profile("F2").unwrap().peaks(Locus::D10s1248).len(), 1);
}
