//! Read adapters: one view over BAM records (`bam::Record`, decoded lazily
//! from the record's bytes) and CRAM records (`RecordBuf`). Flags, CIGAR
//! operations and bases are decoded by noodles (`Record::flags`,
//! `Cigar::iter`, `Sequence::get`).
//!
//! The hand-written decoding this replaced (4-byte CIGAR words and 4-bit
//! base codes unpacked here) is kept as the baseline of
//! `cargo run --release -p graftwatch-genomics-io --example decode_bench --
//! sample.bam`: noodles took 0.64× its time on 1.2 M records (checksums
//! equal), and the whole BAM walk runs at 1.07× the
//! CPU time of `samtools view -c` (`docs/benchmarks.md`, "NGS
//! re-measurement after issues 14 and 10"), inside the 1.5× target, so no
//! hand-written decoding is kept.

use std::io;

use noodles::bam;
use noodles::sam;
use noodles::sam::alignment::record::Flags;
use noodles::sam::alignment::record::cigar::Op;
use noodles::sam::alignment::record::cigar::op::Kind;

use super::overlap::name_hashes;

/// Uniform view over BAM records and CRAM record buffers. Positions are
/// 0-based (read-walk coordinates).
pub(super) trait AlignedRead {
    /// SAM flags.
    fn flags(&self) -> Flags;
    /// Reference sequence index.
    fn tid(&self) -> io::Result<Option<usize>>;
    /// 0-based alignment start.
    fn start0(&self) -> io::Result<Option<u64>>;
    /// Mapping quality (255 = missing).
    fn mapq(&self) -> u8;
    /// CIGAR operations into `buf` (cleared first).
    fn cigar_into(&self, buf: &mut Vec<(Kind, u32)>) -> io::Result<()>;
    /// Bases in the read.
    fn seq_len(&self) -> usize;
    /// Upper-case ASCII base at read position `i` (`=` resolved by caller);
    /// `N` past the end.
    fn base(&self, i: usize) -> u8;
    /// Base quality at `i` (0 past the end).
    fn qual(&self, i: usize) -> u8;
    /// (FNV-1a hash of the read name, htslib's overlap keeper bit).
    fn name_hashes(&self) -> (u64, bool);
    /// Mate's reference sequence index.
    fn mate_tid(&self) -> io::Result<Option<usize>>;
    /// Mate's 0-based alignment start.
    fn mate_start0(&self) -> io::Result<Option<u64>>;
    /// Template length (TLEN).
    fn tlen(&self) -> i32;
}

/// 0-based coordinate of a 1-based noodles position.
fn zero_based(p: noodles::core::Position) -> u64 {
    usize::from(p) as u64 - 1
}

/// Appends a CIGAR operation to `buf`; a length beyond `u32` is invalid data.
fn push_op(buf: &mut Vec<(Kind, u32)>, op: Op) -> io::Result<()> {
    let len = u32::try_from(op.len())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "CIGAR length"))?;
    buf.push((op.kind(), len));
    Ok(())
}

impl AlignedRead for bam::Record {
    fn flags(&self) -> Flags {
        bam::Record::flags(self)
    }
    fn tid(&self) -> io::Result<Option<usize>> {
        self.reference_sequence_id().transpose()
    }
    fn start0(&self) -> io::Result<Option<u64>> {
        Ok(self.alignment_start().transpose()?.map(zero_based))
    }
    fn mapq(&self) -> u8 {
        self.mapping_quality().map(u8::from).unwrap_or(255)
    }
    fn cigar_into(&self, buf: &mut Vec<(Kind, u32)>) -> io::Result<()> {
        buf.clear();
        let cigar = self.cigar();
        if !cigar.as_bytes().len().is_multiple_of(4) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "truncated CIGAR",
            ));
        }
        for op in cigar.iter() {
            push_op(buf, op?)?;
        }
        Ok(())
    }
    fn seq_len(&self) -> usize {
        self.sequence().len()
    }
    fn base(&self, i: usize) -> u8 {
        self.sequence().get(i).unwrap_or(b'N')
    }
    fn qual(&self, i: usize) -> u8 {
        self.quality_scores()
            .as_bytes()
            .get(i)
            .copied()
            .unwrap_or(0)
    }
    fn name_hashes(&self) -> (u64, bool) {
        name_hashes(self.name().map(|n| n.as_ref()).unwrap_or(&[]))
    }
    fn mate_tid(&self) -> io::Result<Option<usize>> {
        self.mate_reference_sequence_id().transpose()
    }
    fn mate_start0(&self) -> io::Result<Option<u64>> {
        Ok(self.mate_alignment_start().transpose()?.map(zero_based))
    }
    fn tlen(&self) -> i32 {
        self.template_length()
    }
}

impl AlignedRead for sam::alignment::RecordBuf {
    fn flags(&self) -> Flags {
        sam::alignment::RecordBuf::flags(self)
    }
    fn tid(&self) -> io::Result<Option<usize>> {
        Ok(self.reference_sequence_id())
    }
    fn start0(&self) -> io::Result<Option<u64>> {
        Ok(self.alignment_start().map(zero_based))
    }
    fn mapq(&self) -> u8 {
        self.mapping_quality().map(u8::from).unwrap_or(255)
    }
    fn cigar_into(&self, buf: &mut Vec<(Kind, u32)>) -> io::Result<()> {
        buf.clear();
        for op in self.cigar().as_ref() {
            push_op(buf, *op)?;
        }
        Ok(())
    }
    fn seq_len(&self) -> usize {
        self.sequence().len()
    }
    fn base(&self, i: usize) -> u8 {
        self.sequence()
            .as_ref()
            .get(i)
            .map(|b| b.to_ascii_uppercase())
            .unwrap_or(b'N')
    }
    fn qual(&self, i: usize) -> u8 {
        self.quality_scores().as_ref().get(i).copied().unwrap_or(0)
    }
    fn name_hashes(&self) -> (u64, bool) {
        name_hashes(self.name().map(|n| n.as_ref()).unwrap_or(&[]))
    }
    fn mate_tid(&self) -> io::Result<Option<usize>> {
        Ok(self.mate_reference_sequence_id())
    }
    fn mate_start0(&self) -> io::Result<Option<u64>> {
        Ok(self.mate_alignment_start().map(zero_based))
    }
    fn tlen(&self) -> i32 {
        self.template_length()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use noodles::sam::alignment::RecordBuf;
    use noodles::sam::alignment::io::Write as _;
    use noodles::sam::alignment::record::MappingQuality;
    use noodles::sam::alignment::record::cigar::Op;
    use noodles::sam::alignment::record_buf::{Cigar, QualityScores, Sequence};

    /// A record built as a `RecordBuf`, and the same record after a BAM
    /// encode/decode round trip: both adapters must read the same values.
    fn pair() -> (RecordBuf, bam::Record) {
        let buf = RecordBuf::builder()
            .set_name(b"read/1".to_vec())
            .set_flags(Flags::SEGMENTED | Flags::PROPERLY_SEGMENTED | Flags::REVERSE_COMPLEMENTED)
            .set_reference_sequence_id(0)
            .set_alignment_start(noodles::core::Position::try_from(101).unwrap())
            .set_mapping_quality(MappingQuality::new(37).unwrap())
            .set_cigar(Cigar::from(vec![
                Op::new(Kind::SoftClip, 2),
                Op::new(Kind::Match, 3),
                Op::new(Kind::Deletion, 2),
                Op::new(Kind::Insertion, 1),
                Op::new(Kind::Match, 2),
            ]))
            .set_sequence(Sequence::from(b"ACGTNAGC".to_vec()))
            .set_quality_scores(QualityScores::from(vec![30, 31, 32, 33, 2, 35, 36, 37]))
            .set_mate_reference_sequence_id(0)
            .set_mate_alignment_start(noodles::core::Position::try_from(151).unwrap())
            .set_template_length(-60)
            .build();
        let header =
            sam::Header::builder()
                .add_reference_sequence(
                    "chr1",
                    sam::header::record::value::Map::<
                        sam::header::record::value::map::ReferenceSequence,
                    >::new(std::num::NonZeroUsize::new(1000).unwrap()),
                )
                .build();
        let mut w = bam::io::Writer::new(Vec::new());
        w.write_alignment_record(&header, &buf).unwrap();
        w.try_finish().unwrap();
        let bytes = w.get_ref().get_ref().clone();
        let mut r = bam::io::Reader::new(&bytes[..]);
        let mut rec = bam::Record::default();
        r.read_record(&mut rec).unwrap();
        (buf, rec)
    }

    #[test]
    fn bam_and_cram_adapters_agree_on_every_field() {
        let (buf, rec) = pair();
        let mut c1 = Vec::new();
        let mut c2 = Vec::new();
        AlignedRead::cigar_into(&buf, &mut c1).unwrap();
        AlignedRead::cigar_into(&rec, &mut c2).unwrap();
        assert_eq!(c1, c2);
        assert_eq!(c1[2], (Kind::Deletion, 2));
        assert_eq!(AlignedRead::flags(&buf), AlignedRead::flags(&rec));
        assert!(AlignedRead::flags(&rec).is_properly_segmented());
        assert_eq!(AlignedRead::start0(&rec).unwrap(), Some(100));
        assert_eq!(AlignedRead::start0(&buf).unwrap(), Some(100));
        assert_eq!(AlignedRead::mate_start0(&rec).unwrap(), Some(150));
        assert_eq!(AlignedRead::mapq(&rec), 37);
        assert_eq!(AlignedRead::tlen(&rec), -60);
        for i in 0..9 {
            assert_eq!(
                AlignedRead::base(&buf, i),
                AlignedRead::base(&rec, i),
                "{i}"
            );
            assert_eq!(
                AlignedRead::qual(&buf, i),
                AlignedRead::qual(&rec, i),
                "{i}"
            );
        }
        assert_eq!(AlignedRead::base(&rec, 4), b'N');
        assert_eq!(AlignedRead::base(&rec, 7), b'C');
        assert_eq!(AlignedRead::base(&rec, 8), b'N', "past the end");
        assert_eq!(AlignedRead::qual(&rec, 8), 0, "past the end");
        assert_eq!(
            AlignedRead::name_hashes(&buf),
            AlignedRead::name_hashes(&rec)
        );
    }
}
