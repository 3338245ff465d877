//! Inputs the `bam_count` fuzz target found (tests/data/fuzz/bam_count):
//! each made noodles allocate gigabytes while indexing; each must now be a
//! plain error from the upload indexer, naming the upload.

use std::io::Write;
use std::path::PathBuf;

use graftwatch_genomics_io::ngs_run::index_bam;
use noodles::bgzf;

fn compressed(name: &str) -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/fuzz/bam_count");
    let raw = std::fs::read(here.join(name)).expect("fuzz fixture present");
    let dir = std::env::temp_dir().join(format!("gw-bam-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join(format!("{name}.bam"));
    let mut w = bgzf::io::Writer::new(std::fs::File::create(&out).unwrap());
    w.write_all(&raw).unwrap();
    w.finish().unwrap();
    out
}

fn refused(name: &str, expect: &str) {
    let path = compressed(name);
    let e = index_bam(&path, "upload.bam").expect_err(name).to_string();
    assert!(e.starts_with("upload.bam: "), "{name}: {e}");
    assert!(e.contains(expect), "{name}: {e}");
}

#[test]
fn a_2_gb_reference_name_in_the_header_is_refused() {
    refused("header-name-2gb.rawbam", "reference name length");
}

#[test]
fn a_record_declaring_4_gb_is_refused() {
    refused("record-4gb.rawbam", "declares 4278190080 bytes");
}

#[test]
fn a_record_naming_a_reference_beyond_the_header_is_refused() {
    refused("reference-id-huge.rawbam", "reference id");
}
