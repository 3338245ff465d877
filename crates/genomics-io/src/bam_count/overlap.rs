//! htslib's rules for overlapping mates of a pair (`tweak_overlap_quality`
//! in htslib 1.16): which mate keeps an agreeing base, which one keeps the
//! higher-quality base when they disagree, and which reads are overlap
//! candidates at all (`overlap_push`).

use std::io;

use noodles::sam::alignment::record::Flags;

use super::counter::Obs;
use super::read::AlignedRead;

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// htslib's choice of the mate that keeps its base quality in an
/// overlapping pair (`tweak_overlap_quality`, htslib 1.16, since PR #1273): bit 0 of
/// `__ac_Wang_hash(__ac_X31_hash_string(qname))`; set = the mate read
/// first keeps it. Used for agreeing bases and for disagreeing bases of
/// equal quality.
pub(super) fn htslib_first_keeps(name: &[u8]) -> bool {
    wang_hash(x31_hash(name)) & 1 == 1
}

/// khash.h `__ac_X31_hash_string`: `h = (h << 5) - h + c` over the bytes,
/// starting from the first byte (0 for an empty name).
fn x31_hash(name: &[u8]) -> u32 {
    let mut h: u32 = name.first().map_or(0, |&c| u32::from(c));
    if h != 0 {
        for &c in &name[1..] {
            h = (h << 5).wrapping_sub(h).wrapping_add(u32::from(c));
        }
    }
    h
}

/// khash.h `__ac_Wang_hash` (Thomas Wang's 32-bit integer mix).
fn wang_hash(mut k: u32) -> u32 {
    k = k.wrapping_add(!(k << 15));
    k ^= k >> 10;
    k = k.wrapping_add(k << 3);
    k ^= k >> 6;
    k = k.wrapping_add(!(k << 11));
    k ^= k >> 16;
    k
}

/// (FNV-1a pairing hash, htslib keeper bit) of a read name.
pub(super) fn name_hashes(name: &[u8]) -> (u64, bool) {
    (fnv1a(name), htslib_first_keeps(name))
}

/// htslib 1.16 `tweak_overlap_quality` at an SNV site: `a` is the
/// mate that came first in file order, `b` the later one.
///
/// * htslib walks the overlap once per pair and, when the later mate `b`
///   jumps over a deletion that `a` does not share, never compares the
///   first base after it: both mates keep their qualities there (both are
///   counted). That is the case when `b` has a gap before the site and `a`
///   has an aligned base inside that gap (`a.gap < b.gap`).
/// * Agreeing bases: one mate keeps `min(q1 + q2, 200)`, the other 0.
/// * Disagreeing bases: the higher quality keeps `0.8·q`, the other 0; on
///   equal qualities the name hash decides ([`htslib_first_keeps`]).
pub(super) fn tweak_overlap_snv(obs: &mut [Obs], a: usize, b: usize) {
    if obs[a].base == 0 || obs[b].base == 0 {
        return;
    }
    if obs[b].gap != u16::MAX && obs[b].gap > 0 && obs[a].gap < obs[b].gap {
        return;
    }
    let (qa, qb) = (obs[a].qual, obs[b].qual);
    let first = obs[a].first_keeps;
    let (keep, drop, q) = if obs[a].base == obs[b].base {
        let q = (u32::from(qa) + u32::from(qb)).min(200) as u8;
        if first { (a, b, q) } else { (b, a, q) }
    } else if qa > qb || (qa == qb && first) {
        (a, b, (0.8 * f64::from(qa)) as u8)
    } else {
        (b, a, (0.8 * f64::from(qb)) as u8)
    };
    obs[keep].qual = q;
    obs[drop].qual = 0;
}

/// Overlapping mates at an indel site: counted once, the mate first in
/// file order unless only the other is informative (see the module docs;
/// bcftools counts both there).
pub(super) fn tweak_overlap(obs: &mut [Obs], a: usize, b: usize) {
    if obs[a].base == 0 || obs[b].base == 0 {
        return;
    }
    if obs[a].base == obs[b].base {
        let q = obs[a].qual as u32 + obs[b].qual as u32;
        obs[a].qual = q.min(200) as u8;
        obs[b].qual = 0;
    } else if obs[a].qual >= obs[b].qual {
        obs[a].qual = (0.8 * obs[a].qual as f64) as u8;
        obs[b].qual = 0;
    } else {
        obs[b].qual = (0.8 * obs[b].qual as f64) as u8;
        obs[a].qual = 0;
    }
}

/// (name hash, overlap candidate, mate still to come), as htslib's
/// `overlap_push` decides them.
pub(super) fn pair_fields<R: AlignedRead>(
    read: &R,
    flags: Flags,
    tid: usize,
    start: u64,
    end: u64,
) -> io::Result<((u64, bool), bool, bool)> {
    let mate_tid = read.mate_tid()?;
    let mate_start = read.mate_start0()?;
    let mut pairable = !flags.is_mate_unmapped() && flags.is_properly_segmented();
    if mate_tid.is_some_and(|m| m != tid) {
        pairable = false;
    }
    let tlen = (read.tlen() as i64).unsigned_abs();
    if tlen >= 2 * read.seq_len() as u64 && mate_start.is_some_and(|m| m >= end) {
        pairable = false;
    }
    let mate_later = match mate_start {
        Some(m) => m >= start,
        None => flags.is_segmented(),
    };
    Ok((read.name_hashes(), pairable, mate_later))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bam_count::classify::Call;
    use crate::bam_count::test_util::read;

    fn obs(base: u8, qual: u8, gap: u16, first_keeps: bool) -> Obs {
        Obs {
            name_hash: 1,
            first_keeps,
            gap,
            pairable: true,
            mate_later: true,
            base,
            qual,
            call: Some(Call::Ref),
        }
    }

    #[test]
    fn agreeing_mates_count_once_with_summed_quality() {
        for (first, keeper) in [(true, 0), (false, 1)] {
            let mut o = [obs(b'A', 30, 0, first), obs(b'A', 25, 0, first)];
            tweak_overlap_snv(&mut o, 0, 1);
            assert_eq!(o[keeper].qual, 55);
            assert_eq!(o[1 - keeper].qual, 0);
        }
        // Capped at 200.
        let mut o = [obs(b'A', 150, 0, true), obs(b'A', 100, 0, true)];
        tweak_overlap_snv(&mut o, 0, 1);
        assert_eq!((o[0].qual, o[1].qual), (200, 0));
    }

    #[test]
    fn disagreeing_mates_keep_the_better_base_at_80_percent() {
        let mut o = [obs(b'A', 20, 0, true), obs(b'C', 30, 0, true)];
        tweak_overlap_snv(&mut o, 0, 1);
        assert_eq!((o[0].qual, o[1].qual), (0, 24));
        // Equal qualities: the name hash decides.
        for (first, keeper) in [(true, 0), (false, 1)] {
            let mut o = [obs(b'A', 30, 0, first), obs(b'C', 30, 0, first)];
            tweak_overlap_snv(&mut o, 0, 1);
            assert_eq!(o[keeper].qual, 24);
            assert_eq!(o[1 - keeper].qual, 0);
        }
    }

    #[test]
    fn first_base_after_a_deletion_of_the_later_mate_is_not_adjusted() {
        // Later mate jumped a 2-base deletion the first mate does not share.
        let mut o = [obs(b'A', 30, 0, true), obs(b'A', 30, 2, true)];
        tweak_overlap_snv(&mut o, 0, 1);
        assert_eq!((o[0].qual, o[1].qual), (30, 30));
        // Both share it: adjusted as usual.
        let mut o = [obs(b'A', 30, 2, true), obs(b'A', 30, 2, true)];
        tweak_overlap_snv(&mut o, 0, 1);
        assert_eq!((o[0].qual, o[1].qual), (60, 0));
    }

    #[test]
    fn htslib_keeper_bit_matches_the_x31_and_wang_hashes() {
        // (name, __ac_X31_hash_string, __ac_Wang_hash of it), computed by
        // compiling khash.h's two functions in C for these names.
        let table: [(&[u8], u32, u32); 10] = [
            (b"", 0x0000_0000, 0x4636_b9c9),
            (b"a", 0x0000_0061, 0xad8b_4236),
            (b"ab", 0x0000_0c21, 0xc9a7_1aac),
            (b"read0", 0x0675_d95a, 0xc32d_f5d6),
            (b"read1", 0x0675_d95b, 0xefc1_4478),
            (b"read2", 0x0675_d95c, 0x55a4_3808),
            (b"read3", 0x0675_d95d, 0x3a29_c741),
            (b"r001", 0x0034_8c7f, 0xe98d_3145),
            (b"SRR062634.1", 0xfec3_e481, 0x6dca_eb76),
            (b"HWI-ST1234:8:1101:1234:5678", 0x3473_dda7, 0xc2b0_a204),
        ];
        for (name, x31, wang) in table {
            let shown = String::from_utf8_lossy(name);
            assert_eq!(x31_hash(name), x31, "X31 of {shown:?}");
            assert_eq!(wang_hash(x31), wang, "Wang of {shown:?}");
            assert_eq!(htslib_first_keeps(name), wang & 1 == 1, "bit of {shown:?}");
        }
        // The X31 hash as written in htslib (h = (h << 5) - h + c) is h·31 + c.
        assert_eq!(x31_hash(b"ab"), 97 * 31 + 98);
        // Different names give both answers (the bit is not constant).
        let bits: Vec<bool> = (0..16)
            .map(|i| htslib_first_keeps(format!("read{i}").as_bytes()))
            .collect();
        assert!(bits.contains(&true) && bits.contains(&false));
    }

    #[test]
    fn overlap_candidates_as_htslib_overlap_push() {
        let r = read("p", 1, "10M", b"ACGTACGTAC");
        let (_, pairable, later) = pair_fields(&r, r.flags(), 0, 0, 10).unwrap();
        assert!(pairable && later);
        // Mate on another contig: not an overlap candidate.
        let mut other = r.clone();
        *other.mate_reference_sequence_id_mut() = Some(1);
        assert!(!pair_fields(&other, other.flags(), 0, 0, 10).unwrap().1);
        // Not a proper pair, or mate unmapped: not a candidate.
        let mut improper = r.clone();
        *improper.flags_mut() = Flags::SEGMENTED;
        assert!(
            !pair_fields(&improper, improper.flags(), 0, 0, 10)
                .unwrap()
                .1
        );
        let mut lone = r.clone();
        *lone.flags_mut() |= Flags::MATE_UNMAPPED;
        assert!(!pair_fields(&lone, lone.flags(), 0, 0, 10).unwrap().1);
        // Long template whose mate starts after this read's end: no overlap.
        let mut far = r.clone();
        *far.template_length_mut() = 500;
        *far.mate_alignment_start_mut() = noodles::core::Position::new(300);
        assert!(!pair_fields(&far, far.flags(), 0, 0, 10).unwrap().1);
        // Mate earlier in the file: not waited for.
        let mut earlier = r;
        *earlier.mate_alignment_start_mut() = Some(noodles::core::Position::MIN);
        assert!(!pair_fields(&earlier, earlier.flags(), 0, 5, 15).unwrap().2);
    }
}
