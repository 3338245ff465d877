//! A bounded walk over a BAM header before noodles decodes it.
//!
//! noodles-bam allocates each length-prefixed header field (`l_text`, every
//! `l_name`) at the size the file declares before reading it, so a corrupt
//! or hostile header declaring a 2 GB reference name makes it allocate 2 GB
//! (found by the `bam_count` fuzz target, 2026-12-03; regression test
//! `bam_count::header_bounds::tests::declared_lengths_beyond_the_file_are_refused`).
//! This walk
//! reads the same fields through the BGZF stream, skipping each declared
//! length without allocating it, and refuses a header whose declared lengths
//! run past the end of the data or past the caps below. Memory stays
//! constant; time is bounded by the file's own size.
//!
//! Layout (SAM/BAM format specification v1.6, §4.2 "The BAM format"):
//! `magic "BAM\1"`, `l_text: int32`, `text`, `n_ref: int32`, then per
//! reference `l_name: int32`, `name` (NUL-terminated), `l_ref: int32`.

use std::io::{self, Read};

use noodles::bgzf;

/// BAM magic bytes (SAM spec §4.2).
const MAGIC: [u8; 4] = *b"BAM\x01";

/// Largest header text accepted: 256 MiB. Real headers (thousands of
/// `@SQ`, `@RG`, `@PG` lines) are a few MB.
pub(super) const MAX_TEXT_BYTES: u64 = 256 << 20;

/// Largest reference name accepted: 64 KiB (SAM spec names are short:
/// `[0-9A-Za-z!#$%&+./:;?@^_|~-][0-9A-Za-z!#$%&*+./:;=?@^_|~-]*`).
pub(super) const MAX_NAME_BYTES: u64 = 64 << 10;

/// Walks the header of a BGZF-compressed BAM from `reader` and returns an
/// `InvalidData` error naming the field if a declared length is negative,
/// over its cap, or longer than the data that follows. A stream that does
/// not start with the BAM magic is left to the decoder's own error.
pub(super) fn check<R: Read>(reader: R) -> io::Result<()> {
    walk(&mut bgzf::io::Reader::new(reader)).map(|_| ())
}

/// Walks the header at the start of the decompressed stream `r`, leaving
/// `r` at the first alignment record, and returns the number of reference
/// sequences. Returns `None` (and reads at most 4 bytes) if the stream does
/// not start with the BAM magic.
pub(super) fn walk<R: Read>(r: &mut R) -> io::Result<Option<u32>> {
    let mut magic = [0u8; 4];
    if r.read_exact(&mut magic).is_err() || magic != MAGIC {
        return Ok(None);
    }
    let l_text = length(r, "header text length (l_text)", MAX_TEXT_BYTES)?;
    skip(r, l_text, "header text")?;
    let n_ref = read_i32(r, "number of reference sequences (n_ref)")?;
    if n_ref < 0 {
        return Err(invalid(format!(
            "number of reference sequences (n_ref) is {n_ref}; expected 0 or more"
        )));
    }
    for i in 0..n_ref {
        let l_name = length(r, "reference name length (l_name)", MAX_NAME_BYTES)?;
        skip(r, l_name, "reference name")
            .and_then(|()| skip(r, 4, "reference length (l_ref)"))
            .map_err(|e| invalid(format!("reference sequence {}: {e}", i + 1)))?;
    }
    Ok(Some(n_ref.unsigned_abs()))
}

fn read_i32<R: Read>(r: &mut R, what: &str) -> io::Result<i32> {
    let mut b = [0u8; 4];
    r.read_exact(&mut b)
        .map_err(|_| invalid(format!("file ends inside the BAM header at the {what}")))?;
    Ok(i32::from_le_bytes(b))
}

fn length<R: Read>(r: &mut R, what: &str, cap: u64) -> io::Result<u64> {
    let n = read_i32(r, what)?;
    match u64::try_from(n) {
        Ok(n) if n <= cap => Ok(n),
        _ => Err(invalid(format!(
            "{what} is {n} bytes; expected 0 to {cap} (corrupt or not a BAM header)"
        ))),
    }
}

fn skip<R: Read>(r: &mut R, n: u64, what: &str) -> io::Result<()> {
    let got = io::copy(&mut r.by_ref().take(n), &mut io::sink())?;
    if got < n {
        return Err(invalid(format!(
            "the {what} is declared as {n} bytes but the file ends after {got} (truncated or corrupt)"
        )));
    }
    Ok(())
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn bgzf(raw: &[u8]) -> Vec<u8> {
        let mut w = bgzf::io::Writer::new(Vec::new());
        w.write_all(raw).unwrap();
        w.finish().unwrap()
    }

    fn header(text: &[u8], refs: &[(&[u8], i32)]) -> Vec<u8> {
        let mut h = MAGIC.to_vec();
        h.extend((text.len() as i32).to_le_bytes());
        h.extend(text);
        h.extend((refs.len() as i32).to_le_bytes());
        for (name, len) in refs {
            h.extend((name.len() as i32 + 1).to_le_bytes());
            h.extend(*name);
            h.push(0);
            h.extend(len.to_le_bytes());
        }
        h
    }

    #[test]
    fn a_real_shaped_header_passes() {
        let h = header(b"@HD\tVN:1.6\n", &[(b"chr1", 1000), (b"chr2", 500)]);
        check(&bgzf(&h)[..]).unwrap();
    }

    #[test]
    fn declared_lengths_beyond_the_file_are_refused() {
        // A 2 GB reference name declared in a 40-byte file.
        let mut h = header(b"", &[]);
        h.truncate(h.len() - 4);
        h.extend(1i32.to_le_bytes());
        h.extend(0x7FFF_0000i32.to_le_bytes());
        h.extend(b"c1\0");
        let e = check(&bgzf(&h)[..]).unwrap_err();
        assert!(e.to_string().contains("reference name length"), "{e}");
        // Within the cap but longer than the data.
        let mut h = header(b"", &[]);
        h.truncate(h.len() - 4);
        h.extend(1i32.to_le_bytes());
        h.extend(100i32.to_le_bytes());
        h.extend(b"c1\0");
        let e = check(&bgzf(&h)[..]).unwrap_err();
        assert!(e.to_string().contains("file ends after 3"), "{e}");
    }

    #[test]
    fn text_length_caps_on_both_sides() {
        let at_cap = i32::try_from(MAX_TEXT_BYTES).unwrap();
        for (l_text, want) in [
            (at_cap + 1, "expected 0 to"),
            (at_cap, "file ends after 0"),
            (-1, "is -1 bytes"),
        ] {
            let mut h = MAGIC.to_vec();
            h.extend(l_text.to_le_bytes());
            let e = check(&bgzf(&h)[..]).unwrap_err();
            assert!(e.to_string().contains(want), "{l_text}: {e}");
        }
    }

    #[test]
    fn negative_reference_count_and_truncation_are_refused() {
        let mut h = header(b"", &[]);
        h.truncate(h.len() - 4);
        h.extend((-5i32).to_le_bytes());
        assert!(
            check(&bgzf(&h)[..])
                .unwrap_err()
                .to_string()
                .contains("n_ref")
        );
        let h = header(b"@HD\n", &[(b"chr1", 1000)]);
        let cut = &h[..h.len() - 2];
        assert!(check(&bgzf(cut)[..]).is_err());
    }

    #[test]
    fn not_a_bam_is_left_to_the_decoder() {
        check(&bgzf(b"CRAM")[..]).unwrap();
        check(&b""[..]).unwrap();
    }
}
