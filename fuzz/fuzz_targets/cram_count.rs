//! CRAM pileup counting at marker sites on arbitrary bytes.
//!
//! The input is written as a `.cram` file, indexed with graftwatch's
//! `bam_count::index_cram` (the bounded container/block walk, then noodles'
//! indexer, as `samtools index` would), and counted at SNV and indel markers
//! against the fixed 2 kb reference of the `bam_count` seeds with one
//! thread. Seeds are the `bam_count` seed alignments written by samtools as
//! CRAM 3.0, 3.1 and archive mode (bzip2/LZMA), one with 3-read slices.
//!
//! CRAM 3 protects every container header and block with a CRC32, so almost
//! every mutation would die in the checksum test. The harness therefore
//! rewrites the CRC32s of the containers and blocks it can frame before
//! writing the file (like `bam_count`, which compresses its input itself),
//! except for inputs whose length is a multiple of 16, which keep their
//! checksums as mutated so that the checksum errors stay covered.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

use graftwatch_genomics_io::bam_count::{PileupFilter, count_bam_with_threads, index_cram};

#[path = "common_file.rs"]
mod common_file;
#[path = "c1_panel.rs"]
mod c1_panel;
use c1_panel::{markers, reference};

/// itf8 (CRAM 3.1 §2.3): the number of bytes it takes from its first byte.
fn itf8_len(b0: u8) -> usize {
    1 + b0.leading_ones().min(4) as usize
}

/// ltf8: 1 to 9 bytes.
fn ltf8_len(b0: u8) -> usize {
    1 + b0.leading_ones() as usize
}

fn itf8_at(d: &[u8], at: usize) -> Option<(i64, usize)> {
    let n = itf8_len(*d.get(at)?);
    let b = d.get(at..at + n)?;
    let v = match n {
        1 => i64::from(b[0]),
        2 => i64::from(b[0] & 0x3f) << 8 | i64::from(b[1]),
        3 => i64::from(b[0] & 0x1f) << 16 | i64::from(b[1]) << 8 | i64::from(b[2]),
        4 => i64::from(b[0] & 0x0f) << 24 | i64::from(b[1]) << 16 | i64::from(b[2]) << 8 | i64::from(b[3]),
        _ => i64::from(i32::from_be_bytes([b[1], b[2], b[3], b[4]])),
    };
    Some((v, at + n))
}

fn put_crc(d: &mut [u8], from: usize, at: usize) -> Option<()> {
    let crc = crc32fast::hash(d.get(from..at)?);
    d.get_mut(at..at + 4)?.copy_from_slice(&crc.to_le_bytes());
    Some(())
}

/// Rewrites the CRC32 of each container header and block it can frame.
fn fix_crcs(d: &mut [u8]) -> Option<()> {
    let mut at = 26;
    loop {
        let start = at;
        let len = i32::from_le_bytes(d.get(at..at + 4)?.try_into().ok()?);
        at += 4;
        for _ in 0..4 {
            at = itf8_at(d, at)?.1;
        }
        for _ in 0..2 {
            at += ltf8_len(*d.get(at)?);
        }
        at = itf8_at(d, at)?.1;
        let (n, mut a) = itf8_at(d, at)?;
        for _ in 0..n.clamp(0, 1 << 16) {
            a = itf8_at(d, a)?.1;
        }
        put_crc(d, start, a)?;
        at = a + 4;
        let end = at.checked_add(usize::try_from(len).ok()?)?.min(d.len());
        while at < end {
            let block = at;
            let (_, a) = itf8_at(d, at + 2)?;
            let (csize, a) = itf8_at(d, a)?;
            let (_, a) = itf8_at(d, a)?;
            let crc_at = a.checked_add(usize::try_from(csize).ok()?)?;
            put_crc(d, block, crc_at)?;
            at = crc_at + 4;
        }
        at = end;
    }
}

/// libFuzzer's panic hook aborts on any panic; a CRAM decoder panic that
/// graftwatch contains (`decoder_guard`: reported as a corrupt file, exit 2)
/// is not a finding, every other panic still is.
fn contain_decoder_panics() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        let abort = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !graftwatch_genomics_io::decoder_guard::is_guarded() {
                abort(info);
            }
        }));
    });
}

fuzz_target!(|data: &[u8]| {
    contain_decoder_panics();
    let mut data = data.to_vec();
    if data.len() % 16 != 0 {
        let _ = fix_crcs(&mut data);
    }
    let p = common_file::scratch("s.cram", &data);
    let _ = std::fs::remove_file(p.with_extension("cram.crai"));
    if index_cram(&p).is_ok() {
        let filter = PileupFilter::default();
        let _ = count_bam_with_threads(&p, Some(reference()), markers(), &filter, 1);
    }
});
