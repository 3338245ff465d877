//! Writes a fuzz input to a per-process scratch file (the readers under
//! test take paths: plain, gzip and BGZF detection happen on open).
use std::path::PathBuf;

pub fn scratch(name: &str, data: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("graftwatch-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let p = dir.join(name);
    std::fs::write(&p, data).expect("scratch file");
    p
}
