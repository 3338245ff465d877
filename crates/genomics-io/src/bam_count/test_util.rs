//! Reads and sites for the unit tests of the `bam_count` files.

use graftwatch_chimerism::marker::Marker;
use noodles::core::Position;
use noodles::sam::alignment::RecordBuf;
use noodles::sam::alignment::record::Flags;
use noodles::sam::alignment::record::cigar::Op;
use noodles::sam::alignment::record::cigar::op::Kind;
use noodles::sam::alignment::record_buf::{Cigar, QualityScores, Sequence};

use crate::marker_site::Site;

/// Parses a CIGAR string such as `5M1D4M`.
pub(super) fn cigar(s: &str) -> Vec<(Kind, u32)> {
    let mut out = Vec::new();
    let mut n = 0u32;
    for c in s.bytes() {
        if c.is_ascii_digit() {
            n = n * 10 + u32::from(c - b'0');
            continue;
        }
        let kind = match c {
            b'M' => Kind::Match,
            b'I' => Kind::Insertion,
            b'D' => Kind::Deletion,
            b'N' => Kind::Skip,
            b'S' => Kind::SoftClip,
            b'H' => Kind::HardClip,
            b'=' => Kind::SequenceMatch,
            b'X' => Kind::SequenceMismatch,
            _ => panic!("bad CIGAR op {c}"),
        };
        out.push((kind, n));
        n = 0;
    }
    out
}

/// A mapped read on contig 0 starting at 1-based `start`, every base of
/// quality 30, mate 1 bp downstream (template length 12: the mates
/// overlap); flags paired + proper pair.
pub(super) fn read(name: &str, start: usize, cig: &str, seq: &[u8]) -> RecordBuf {
    let ops: Vec<Op> = cigar(cig)
        .into_iter()
        .map(|(k, l)| Op::new(k, l as usize))
        .collect();
    RecordBuf::builder()
        .set_name(name.as_bytes().to_vec())
        .set_flags(Flags::SEGMENTED | Flags::PROPERLY_SEGMENTED)
        .set_reference_sequence_id(0)
        .set_alignment_start(Position::try_from(start).expect("1-based"))
        .set_cigar(Cigar::from(ops))
        .set_sequence(Sequence::from(seq.to_vec()))
        .set_quality_scores(QualityScores::from(vec![30; seq.len()]))
        .set_mate_reference_sequence_id(0)
        .set_mate_alignment_start(Position::try_from(start + 1).expect("1-based"))
        .set_template_length(12)
        .build()
}

/// The reference of the unit tests: `ACGTACGTAC` then a run of ten `A`s
/// then `CGTACGTACGTACGTACGT` (positions 1-based).
pub(super) const REF: &[u8] = b"ACGTACGTACAAAAAAAAAACGTACGTACGTACGTACGT";

/// A marker resolved against [`REF`].
pub(super) fn site(pos: u64, r: &str, a: &str) -> Site {
    let m = Marker {
        id: format!("m{pos}"),
        chrom: "chr1".into(),
        pos: graftwatch_core::GenomicPosition::from_one_based(pos).expect("1-based"),
        ref_allele: r.into(),
        alt_allele: a.into(),
    };
    Site::resolve(&m, Some(REF)).expect("valid test marker")
}
