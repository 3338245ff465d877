//! Inputs the `bcf_ad` fuzz target found (tests/data/fuzz/bcf_ad): each
//! made noodles allocate gigabytes; each must be a plain error naming the
//! file.

use std::path::PathBuf;

use graftwatch_genomics_io::vcf_ad::vcf_samples;

#[test]
fn a_header_dictionary_index_of_725_million_is_refused() {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/fuzz/bcf_ad/header-idx-huge.bcf");
    let dir = std::env::temp_dir().join(format!("gw-bcf-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("sample.bcf");
    std::fs::copy(&src, &path).expect("fuzz fixture present");
    let e = vcf_samples(&path).expect_err("refused").to_string();
    assert!(e.contains("IDX="), "{e}");
    assert!(e.contains("sample.bcf"), "{e}");
}
