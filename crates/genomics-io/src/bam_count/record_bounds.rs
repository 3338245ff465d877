//! Reading BAM alignment records with a bounded size before noodles decodes
//! them.
//!
//! noodles-bam reads each record's `block_size` and resizes its buffer to
//! that size before reading the record, so one corrupt or hostile record
//! declaring `block_size` = 0xFF000000 makes it allocate 4 GB (found by the
//! `bam_count` fuzz target, 2026-12-03, through indexing; the region fetch
//! has the same shape). Records are therefore framed here: the declared
//! size is checked against [`MAX_RECORD_BYTES`] and against the data that
//! follows, and only then handed to noodles to decode.
//!
//! Layout (SAM/BAM format specification v1.6, §4.2.1): `block_size: uint32`
//! (the record's length excluding this field), then `refID`, `pos`, … — at
//! least 32 bytes of fixed fields.

use std::io::{self, Read};

use noodles::bam;
use noodles::bgzf;

/// Largest alignment record accepted: 64 MiB. A record holds its sequence
/// at half a byte per base and its qualities at one byte per base, so this
/// is a read of about 40 Mbp with tags — an order of magnitude beyond the
/// longest sequenced reads; short-read chimerism panels have records of a
/// few hundred bytes.
pub(super) const MAX_RECORD_BYTES: u32 = 64 << 20;

/// Fixed part of a record after `block_size` (SAM spec §4.2.1: refID, pos,
/// l_read_name, mapq, bin, n_cigar_op, flag, l_seq, next_refID, next_pos,
/// tlen).
const FIXED_BYTES: u32 = 32;

/// Reads the next record of `r` into `frame` (its 4-byte `block_size`
/// followed by the record) and returns `false` at a clean end of data.
/// A declared size below the fixed fields, over [`MAX_RECORD_BYTES`] or
/// past the end of the data is an `InvalidData` error; memory stays within
/// the cap whatever the file declares.
pub(super) fn read_framed<R: Read>(r: &mut R, frame: &mut Vec<u8>) -> io::Result<bool> {
    let mut size = [0u8; 4];
    let mut got = 0;
    while got < 4 {
        match r.read(&mut size[got..]) {
            Ok(0) if got == 0 => return Ok(false),
            Ok(0) => return Err(invalid("the file ends inside a record's size field".into())),
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let n = u32::from_le_bytes(size);
    if !(FIXED_BYTES..=MAX_RECORD_BYTES).contains(&n) {
        return Err(invalid(format!(
            "an alignment record declares {n} bytes; expected {FIXED_BYTES} to {MAX_RECORD_BYTES} (corrupt BAM)"
        )));
    }
    frame.clear();
    frame.extend_from_slice(&size);
    let read = r.by_ref().take(u64::from(n)).read_to_end(frame)?;
    if read < n as usize {
        return Err(invalid(format!(
            "an alignment record declares {n} bytes but the data ends after {read} (truncated BAM)"
        )));
    }
    Ok(true)
}

/// Decodes one framed record (from [`read_framed`]) into `record`.
pub(super) fn decode(frame: &[u8], record: &mut bam::Record) -> io::Result<()> {
    bam::io::Reader::from(frame).read_record(record).map(|_| ())
}

/// Walks a whole BGZF-compressed BAM from `reader` with bounded memory: the
/// header (as [`super::header_bounds::check`] does), then every record's
/// declared size and reference id, which must be −1 (unplaced) or name one
/// of the header's reference sequences. Used before handing an uploaded BAM
/// to noodles' indexer, which reads every record at its declared size and
/// grows its per-reference tables up to each record's reference id (a
/// record naming reference 2³¹ made it allocate gigabytes; `bam_count`
/// fuzz target, 2026-12-03).
pub(crate) fn check_bam<R: Read>(reader: R) -> io::Result<()> {
    let mut r = bgzf::io::Reader::new(reader);
    let Some(n_ref) = super::header_bounds::walk(&mut r)? else {
        return Ok(());
    };
    let mut frame = Vec::new();
    let mut n = 0u64;
    loop {
        let more = read_framed(&mut r, &mut frame);
        n += 1;
        if !more.map_err(|e| invalid(format!("record {n}: {e}")))? {
            return Ok(());
        }
        let ref_id = i32::from_le_bytes([frame[4], frame[5], frame[6], frame[7]]);
        if ref_id < -1 || i64::from(ref_id) >= i64::from(n_ref) {
            return Err(invalid(format!(
                "record {n}: reference id {ref_id}; expected -1 (unplaced) or 0 to {} (the header names {n_ref} reference sequences)",
                i64::from(n_ref) - 1
            )));
        }
    }
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write as _;

    #[test]
    fn a_whole_bam_walk_names_the_oversized_record() {
        let mut raw = b"BAM\x01".to_vec();
        raw.extend(0i32.to_le_bytes()); // l_text
        raw.extend(0i32.to_le_bytes()); // n_ref
        let good_then_bad = [framed(FIXED_BYTES, 32), framed(0xFF00_0000, 8)].concat();
        raw.extend(&good_then_bad);
        let mut w = bgzf::io::Writer::new(Vec::new());
        w.write_all(&raw).unwrap();
        let bytes = w.finish().unwrap();
        let e = check_bam(&bytes[..]).unwrap_err();
        assert!(e.to_string().starts_with("record 2: "), "{e}");
        // Without the bad record the walk passes.
        let mut w = bgzf::io::Writer::new(Vec::new());
        w.write_all(&raw[..raw.len() - 12]).unwrap();
        check_bam(&w.finish().unwrap()[..]).unwrap();
    }

    #[test]
    fn reference_ids_outside_the_header_are_refused_on_both_sides() {
        let bam = |n_ref: i32, ref_id: i32| {
            let mut raw = b"BAM\x01".to_vec();
            raw.extend(0i32.to_le_bytes());
            raw.extend(n_ref.to_le_bytes());
            for i in 0..n_ref {
                raw.extend(3i32.to_le_bytes());
                raw.extend(format!("c{i}\0").as_bytes());
                raw.extend(1000i32.to_le_bytes());
            }
            let mut rec = framed(FIXED_BYTES, 32);
            rec[4..8].copy_from_slice(&ref_id.to_le_bytes());
            raw.extend(rec);
            let mut w = bgzf::io::Writer::new(Vec::new());
            w.write_all(&raw).unwrap();
            w.finish().unwrap()
        };
        for (ref_id, ok) in [
            (-2, false),
            (-1, true),
            (0, true),
            (1, true),
            (2, false),
            (i32::MAX, false),
        ] {
            let r = check_bam(&bam(2, ref_id)[..]);
            assert_eq!(r.is_ok(), ok, "{ref_id}: {r:?}");
        }
    }

    /// A record frame of `block_size` with `body` bytes, unplaced
    /// (reference id −1) when the body has room for it.
    fn framed(block_size: u32, body: usize) -> Vec<u8> {
        let mut v = block_size.to_le_bytes().to_vec();
        v.resize(4 + body, 0);
        if body >= 4 {
            v[4..8].copy_from_slice(&(-1i32).to_le_bytes());
        }
        v
    }

    #[test]
    fn a_4_gb_declared_record_is_refused_without_allocating_it() {
        let data = framed(0xFF00_0000, 40);
        let mut frame = Vec::new();
        let e = read_framed(&mut &data[..], &mut frame).unwrap_err();
        assert!(e.to_string().contains("declares 4278190080 bytes"), "{e}");
        assert!(frame.capacity() < 1 << 20);
    }

    #[test]
    fn the_size_cap_and_the_fixed_fields_on_both_sides() {
        let mut frame = Vec::new();
        for (n, ok) in [
            (FIXED_BYTES - 1, false),
            (FIXED_BYTES, true),
            (MAX_RECORD_BYTES + 1, false),
        ] {
            let data = framed(n, n.min(64) as usize);
            let r = read_framed(&mut &data[..], &mut frame);
            assert_eq!(r.is_ok(), ok, "{n}: {r:?}");
        }
        // At the cap the size is accepted; the data then runs out.
        let data = framed(MAX_RECORD_BYTES, 64);
        let e = read_framed(&mut &data[..], &mut frame).unwrap_err();
        assert!(e.to_string().contains("ends after 64"), "{e}");
    }

    #[test]
    fn clean_end_and_cut_size_field() {
        let mut frame = Vec::new();
        assert!(!read_framed(&mut &b""[..], &mut frame).unwrap());
        assert!(read_framed(&mut &b"\x20\x00"[..], &mut frame).is_err());
    }

    #[test]
    fn a_real_record_round_trips_through_the_frame() {
        use noodles::sam::alignment::io::Write as _;
        use noodles::sam::alignment::record_buf::RecordBuf;
        let header = noodles::sam::Header::default();
        let mut w = bam::io::Writer::from(Vec::new());
        let rec = RecordBuf::builder().set_name("r1").build();
        w.write_alignment_record(&header, &rec).unwrap();
        let bytes = w.into_inner();
        let mut frame = Vec::new();
        assert!(read_framed(&mut &bytes[..], &mut frame).unwrap());
        let mut record = bam::Record::default();
        decode(&frame, &mut record).unwrap();
        assert_eq!(record.name().map(|n| n.to_vec()), Some(b"r1".to_vec()));
    }
}
