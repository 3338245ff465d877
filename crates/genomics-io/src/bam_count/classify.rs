//! What one read shows at one marker: REF, ALT, another allele, or nothing
//! countable (see the module docs of `bam_count` for the rules).

use noodles::sam::alignment::record::cigar::op::Kind;

use super::read::AlignedRead;
use crate::marker_site::{Site, SiteKind};

/// What a read shows at a site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Call {
    Ref,
    Alt,
    Other,
}

/// What walking a read's CIGAR found at a site.
struct Walk {
    /// Read offset of the base aligned to the anchor, if any.
    anchor: Option<usize>,
    /// Reference bases between the anchor and the previous aligned base
    /// (0 inside an aligned block; `u16::MAX` when there is none).
    gap: u16,
    /// The read carries the site's indel.
    alt: bool,
    /// The read has another indel inside the site's window.
    disturbed: bool,
}

/// Classifies one read at one site: (base at the site/anchor or 0, its
/// quality, call). `None` call = the read overlaps but is not counted.
pub(super) fn classify<R: AlignedRead>(
    read: &R,
    cigar: &[(Kind, u32)],
    start: u64,
    end: u64,
    site: &Site,
    ins_buf: &mut Vec<u8>,
) -> (u8, u8, Option<Call>, u16) {
    let w = walk(read, cigar, start, site, ins_buf);
    let Some(aq) = w.anchor else {
        return (0, 0, None, u16::MAX);
    };
    let mut base = read.base(aq);
    let qual = read.qual(aq);
    let call = match &site.kind {
        SiteKind::Snv { ref_base, alt_base } => {
            if base == b'=' {
                base = *ref_base;
            }
            snv_call(base, *ref_base, *alt_base)
        }
        _ => {
            if w.alt {
                Some(Call::Alt)
            } else if w.disturbed {
                Some(Call::Other)
            } else if end > site.last.zero_based() {
                Some(Call::Ref)
            } else {
                None
            }
        }
    };
    (base, qual, call, w.gap)
}

/// The call of a base at an SNV: REF, ALT, another base, or nothing for
/// an ambiguous base (`N`, IUPAC codes).
#[inline]
fn snv_call(base: u8, ref_base: u8, alt_base: u8) -> Option<Call> {
    if base == ref_base {
        Some(Call::Ref)
    } else if base == alt_base {
        Some(Call::Alt)
    } else if matches!(base, b'A' | b'C' | b'G' | b'T') {
        Some(Call::Other)
    } else {
        None
    }
}

/// Walks the CIGAR from the read's 0-based `start` up to the end of the
/// site's window: where the anchor is in the read, the gap before it, and
/// whether an insertion or deletion is the site's (or disturbs it).
#[inline]
fn walk<R: AlignedRead>(
    read: &R,
    cigar: &[(Kind, u32)],
    start: u64,
    site: &Site,
    ins_buf: &mut Vec<u8>,
) -> Walk {
    let pos0 = site.anchor.zero_based();
    let last0 = site.last.zero_based();
    let mut w = Walk {
        anchor: None,
        gap: u16::MAX,
        alt: false,
        disturbed: false,
    };
    let mut r = start;
    let mut q: usize = 0;
    // End (exclusive) of the last aligned block before the anchor's.
    let mut last_aligned_end: Option<u64> = None;
    for &(kind, len) in cigar {
        let l = len as u64;
        match kind {
            Kind::Match | Kind::SequenceMatch | Kind::SequenceMismatch => {
                if pos0 >= r && pos0 < r + l {
                    w.anchor = Some(q + (pos0 - r) as usize);
                    w.gap = if pos0 > r {
                        0
                    } else {
                        last_aligned_end.map_or(u16::MAX, |e| {
                            u16::try_from(pos0.saturating_sub(e)).unwrap_or(u16::MAX - 1)
                        })
                    };
                } else if r + l <= pos0 {
                    last_aligned_end = Some(r + l);
                }
                r += l;
                q += len as usize;
            }
            Kind::Insertion => {
                if r > 0 && !matches!(site.kind, SiteKind::Snv { .. }) {
                    let after = r - 1;
                    // Only the inserted bases the read's sequence holds: a
                    // CIGAR may declare an insertion of 2^28 bases on a read
                    // without a sequence (fuzz: 9 s for a 1.5 kB BAM);
                    // bases past the sequence could only read as `N`, which
                    // never matches, and a shorter buffer does not match
                    // either.
                    let have = read.seq_len();
                    ins_buf.clear();
                    ins_buf
                        .extend((q.min(have)..(q + len as usize).min(have)).map(|i| read.base(i)));
                    if site.matches_insertion(after, ins_buf) {
                        w.alt = true;
                    } else if after >= pos0 && after < last0 {
                        w.disturbed = true;
                    }
                }
                q += len as usize;
            }
            Kind::Deletion | Kind::Skip => {
                if kind == Kind::Deletion && site.matches_deletion(r, len) {
                    w.alt = true;
                } else if r <= last0 && r + l > pos0 {
                    w.disturbed = true;
                }
                r += l;
            }
            Kind::SoftClip => q += len as usize,
            Kind::HardClip | Kind::Pad => {}
        }
        if r > last0 + 1 && kind != Kind::Insertion {
            // Past the window: an insertion right after `last` would not matter.
            break;
        }
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bam_count::test_util::{read, site};

    /// The call of a read at a site (the walk `GroupCounter::push` does).
    fn call(start: usize, cig: &str, seq: &[u8], s: &Site) -> (u8, Option<Call>) {
        let r = read("r", start, cig, seq);
        let mut ops = Vec::new();
        r.cigar_into(&mut ops).unwrap();
        let start0 = r.start0().unwrap().unwrap();
        let span: u64 = ops
            .iter()
            .filter(|(k, _)| k.consumes_reference())
            .map(|&(_, l)| u64::from(l))
            .sum();
        let (base, _, c, _) = classify(&r, &ops, start0, start0 + span, s, &mut Vec::new());
        (base, c)
    }

    /// The gap before the anchor: 0 inside an aligned block, the deleted
    /// length when the anchor opens the block after a deletion.
    #[test]
    fn the_gap_counts_reference_bases_skipped_just_before_the_anchor() {
        let gap = |pos: u64, r: &str, a: &str| {
            let read = read("r", 1, "5M2D5M", b"ACGTAACGTA");
            let mut ops = Vec::new();
            read.cigar_into(&mut ops).unwrap();
            walk(&read, &ops, 0, &site(pos, r, a), &mut Vec::new()).gap
        };
        assert_eq!(gap(8, "T", "A"), 2);
        assert_eq!(gap(9, "A", "T"), 0);
        assert_eq!(gap(1, "A", "T"), u16::MAX);
    }

    /// An insertion declared longer than the read's sequence (a BAM record
    /// with no sequence and a 2^28-base insertion, from the fuzzer) is
    /// walked without touching each declared base.
    #[test]
    fn an_insertion_beyond_the_sequence_is_not_walked_base_by_base() {
        let s = site(3, "G", "GT");
        let r = read("r", 1, "3M", b"ACG");
        let ops = vec![(Kind::Match, 3), (Kind::Insertion, 1 << 28)];
        let t = std::time::Instant::now();
        let w = walk(&r, &ops, 0, &s, &mut Vec::new());
        assert!(!w.alt);
        assert!(
            t.elapsed() < std::time::Duration::from_millis(200),
            "{:?}",
            t.elapsed()
        );
    }

    #[test]
    fn snv_ref_alt_other_and_n() {
        let s = site(3, "G", "T");
        assert_eq!(call(1, "10M", b"ACGTACGTAC", &s), (b'G', Some(Call::Ref)));
        assert_eq!(call(1, "10M", b"ACTTACGTAC", &s), (b'T', Some(Call::Alt)));
        assert_eq!(call(1, "10M", b"ACCTACGTAC", &s), (b'C', Some(Call::Other)));
        assert_eq!(call(1, "10M", b"ACNTACGTAC", &s), (b'N', None));
        // `=` means "same as the reference".
        assert_eq!(call(1, "10M", b"AC=TACGTAC", &s), (b'G', Some(Call::Ref)));
    }

    #[test]
    fn snv_under_a_deletion_or_outside_the_read_is_not_counted() {
        let s = site(3, "G", "T");
        assert_eq!(call(1, "2M2D6M", b"ACACGTAC", &s), (0, None));
        assert_eq!(call(4, "6M", b"TACGTA", &s), (0, None));
        // Soft clips do not cover the site.
        assert_eq!(call(4, "3S6M", b"ACGTACGTA", &s), (0, None));
    }

    #[test]
    fn deletion_in_a_repeat_is_alt_at_every_placement() {
        // Position 10 C, then ten A: deleting one A may be placed anywhere
        // in the run.
        let s = site(10, "CA", "C");
        let alt_left: Vec<u8> = [&b"ACGTACGTAC"[..], b"AAAAAAAAA", b"CGTACGTACG"].concat();
        assert_eq!(call(1, "10M1D19M", &alt_left, &s).1, Some(Call::Alt));
        assert_eq!(call(1, "19M1D10M", &alt_left, &s).1, Some(Call::Alt));
        let reference = crate::bam_count::test_util::REF[..30].to_vec();
        assert_eq!(call(1, "30M", &reference, &s).1, Some(Call::Ref));
        // Ends inside the repeat: cannot tell REF from ALT.
        assert_eq!(call(1, "15M", &reference[..15], &s).1, None);
        // A different deletion across the repeat: another allele.
        let other: Vec<u8> = [&b"ACGTACGTAC"[..], b"AAAAAAAA", b"CGTACGTACG"].concat();
        assert_eq!(call(1, "10M2D18M", &other, &s).1, Some(Call::Other));
    }

    #[test]
    fn insertion_in_a_repeat_is_alt() {
        let s = site(10, "C", "CA");
        let ins: Vec<u8> = [&b"ACGTACGTAC"[..], b"AAAAAAAAAAA", b"CGTACGTACG"].concat();
        assert_eq!(call(1, "10M1I20M", &ins, &s).1, Some(Call::Alt));
        assert_eq!(call(1, "20M1I10M", &ins, &s).1, Some(Call::Alt));
        // Inserting a C is not the marker's insertion.
        let other: Vec<u8> = [&b"ACGTACGTAC"[..], b"C", b"AAAAAAAAAA", b"CGTACGTACG"].concat();
        assert_eq!(call(1, "10M1I20M", &other, &s).1, Some(Call::Other));
    }
}
