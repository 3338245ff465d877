//! Per-group counting: every record of a group's region is classified at
//! the group's markers it overlaps ([`GroupCounter::push`]); overlapping
//! mates are then resolved and the calls that pass the base-quality filter
//! counted ([`GroupCounter::finish`]).

use std::collections::HashMap;
use std::io;

use graftwatch_chimerism::marker::AlleleCounts;
use noodles::sam::alignment::record::Flags;
use noodles::sam::alignment::record::cigar::op::Kind;

use super::PileupFilter;
use super::classify::{Call, classify};
use super::group::Group;
use super::overlap::{pair_fields, tweak_overlap, tweak_overlap_snv};
use super::read::AlignedRead;
use crate::marker_site::{Site, SiteKind};

/// Reads never counted (`--ff UNMAP,SECONDARY,QCFAIL,DUP,SUPPLEMENTARY`).
const SKIP_FLAGS: Flags = Flags::UNMAPPED
    .union(Flags::SECONDARY)
    .union(Flags::QC_FAIL)
    .union(Flags::DUPLICATE)
    .union(Flags::SUPPLEMENTARY);

/// One read's observation at one site.
#[derive(Debug, Clone, Copy)]
pub(super) struct Obs {
    /// FNV-1a hash of the read name (pairs the mates).
    pub(super) name_hash: u64,
    /// htslib's keeper bit for the pair (see `overlap::htslib_first_keeps`).
    pub(super) first_keeps: bool,
    /// Reference positions skipped (deletion / ref skip) between the read's
    /// previous aligned base and its base at the site: 0 = contiguous,
    /// `u16::MAX` = no previous aligned base (longer gaps saturate below it;
    /// `u16` keeps `Obs` at 16 bytes).
    pub(super) gap: u16,
    /// Proper pair, mate mapped on the same contig: htslib overlap candidate.
    pub(super) pairable: bool,
    /// Mate still to come in file order (htslib stores it in its overlap hash).
    pub(super) mate_later: bool,
    /// Read base at the site / anchor (0 if the read has no aligned base there).
    pub(super) base: u8,
    /// Quality of that base (adjusted for overlapping mates in `finish`).
    pub(super) qual: u8,
    pub(super) call: Option<Call>,
}

pub(super) struct GroupCounter<'a> {
    /// (marker index, site) sorted by position.
    sites: Vec<(usize, &'a Site)>,
    max_span: u64,
    obs: Vec<Vec<Obs>>,
    seen: Vec<u32>,
    filter: &'a PileupFilter,
    cigar: Vec<(Kind, u32)>,
    ins: Vec<u8>,
}

impl<'a> GroupCounter<'a> {
    pub(super) fn new(group: &Group, sites: &'a [(usize, Site)], filter: &'a PileupFilter) -> Self {
        let s: Vec<(usize, &Site)> = group.members.iter().map(|&i| (i, &sites[i].1)).collect();
        let max_span = s
            .iter()
            .map(|(_, x)| x.last.zero_based() - x.anchor.zero_based())
            .max()
            .unwrap_or(0);
        let n = s.len();
        GroupCounter {
            sites: s,
            max_span,
            obs: vec![Vec::new(); n],
            seen: vec![0; n],
            filter,
            cigar: Vec::new(),
            ins: Vec::new(),
        }
    }

    pub(super) fn push<R: AlignedRead>(&mut self, read: &R) -> io::Result<()> {
        let flags = read.flags();
        if flags.intersects(SKIP_FLAGS) {
            return Ok(());
        }
        if read.mapq() < self.filter.min_mapping_quality {
            return Ok(());
        }
        if !self.filter.count_orphans && flags.is_segmented() && !flags.is_properly_segmented() {
            return Ok(());
        }
        let (Some(start), Some(tid)) = (read.start0()?, read.tid()?) else {
            return Ok(());
        };
        read.cigar_into(&mut self.cigar)?;
        let ref_len: u64 = self
            .cigar
            .iter()
            .filter(|(k, _)| {
                matches!(
                    k,
                    Kind::Match
                        | Kind::Deletion
                        | Kind::Skip
                        | Kind::SequenceMatch
                        | Kind::SequenceMismatch
                )
            })
            .map(|&(_, l)| l as u64)
            .sum();
        let end = start + ref_len.max(1); // exclusive
        // Sites whose anchor lies inside [start, end).
        let lo = start.saturating_sub(self.max_span);
        let first = self
            .sites
            .partition_point(|(_, s)| s.anchor.zero_based() < lo);
        let mut pair_info: Option<((u64, bool), bool, bool)> = None;
        for k in first..self.sites.len() {
            let site = self.sites[k].1;
            if site.anchor.zero_based() >= end {
                break;
            }
            if site.anchor.zero_based() < start {
                continue;
            }
            if let Some(max) = self.filter.max_depth
                && self.seen[k] >= max
            {
                continue;
            }
            self.seen[k] += 1;
            let (base, qual, call, gap) =
                classify(read, &self.cigar, start, end, site, &mut self.ins);
            if call.is_none() && base == 0 {
                continue;
            }
            let ((name_hash, first_keeps), pairable, mate_later) = match pair_info {
                Some(p) => p,
                None => {
                    let p = pair_fields(read, flags, tid, start, end)?;
                    pair_info = Some(p);
                    p
                }
            };
            self.obs[k].push(Obs {
                name_hash,
                first_keeps,
                gap,
                pairable,
                mate_later,
                base,
                qual,
                call,
            });
        }
        Ok(())
    }

    pub(super) fn finish(mut self) -> Vec<(usize, AlleleCounts)> {
        let min_q = self.filter.min_base_quality;
        let mut out = Vec::with_capacity(self.sites.len());
        let mut waiting: HashMap<u64, usize> = HashMap::new();
        for (k, obs) in self.obs.iter_mut().enumerate() {
            let is_snv = matches!(self.sites[k].1.kind, SiteKind::Snv { .. });
            waiting.clear();
            for j in 0..obs.len() {
                if !obs[j].pairable {
                    continue;
                }
                let h = obs[j].name_hash;
                if let Some(i) = waiting.remove(&h) {
                    if is_snv {
                        tweak_overlap_snv(obs, i, j);
                    } else if obs[i].call.is_some() && obs[j].call.is_some() {
                        tweak_overlap(obs, i, j);
                    }
                } else if obs[j].mate_later {
                    waiting.insert(h, j);
                }
            }
            let mut c = AlleleCounts::default();
            for o in obs.iter() {
                if o.qual < min_q {
                    continue;
                }
                match o.call {
                    Some(Call::Ref) => c.ref_count += 1,
                    Some(Call::Alt) => c.alt_count += 1,
                    Some(Call::Other) => c.other += 1,
                    None => {}
                }
            }
            out.push((self.sites[k].0, c));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bam_count::group::group_sites;
    use crate::bam_count::test_util::{read, site};
    use noodles::sam::alignment::RecordBuf;

    /// Counts at one SNV (position 3, G>T) from `reads`.
    fn counts(reads: &[RecordBuf], filter: &PileupFilter) -> AlleleCounts {
        let sites = vec![(0, site(3, "G", "T"))];
        let groups = group_sites(&sites);
        let mut c = GroupCounter::new(&groups[0], &sites, filter);
        for r in reads {
            c.push(r).unwrap();
        }
        c.finish()[0].1
    }

    #[test]
    fn overlapping_mates_are_counted_once() {
        let f = PileupFilter::default();
        let a = read("pair", 1, "10M", b"ACTTACGTAC");
        let mut b = read("pair", 2, "9M", b"CTTACGTAC");
        *b.mate_alignment_start_mut() = Some(noodles::core::Position::MIN);
        let c = counts(&[a.clone(), b], &f);
        assert_eq!((c.ref_count, c.alt_count), (0, 1));
        // Two different fragments: both count.
        let d = read("other", 1, "10M", b"ACGTACGTAC");
        let c = counts(&[a, d], &f);
        assert_eq!((c.ref_count, c.alt_count), (1, 1));
    }

    #[test]
    fn filtered_reads_are_not_counted() {
        let f = PileupFilter::default();
        let ok = read("ok", 1, "10M", b"ACGTACGTAC");
        for flag in [
            Flags::UNMAPPED,
            Flags::SECONDARY,
            Flags::QC_FAIL,
            Flags::DUPLICATE,
            Flags::SUPPLEMENTARY,
        ] {
            let mut r = ok.clone();
            *r.flags_mut() |= flag;
            assert_eq!(counts(&[r], &f).depth(), 0, "{flag:?}");
        }
        // Improper pair: skipped unless orphans are counted (-A).
        let mut orphan = ok.clone();
        *orphan.flags_mut() = Flags::SEGMENTED;
        assert_eq!(counts(std::slice::from_ref(&orphan), &f).depth(), 0);
        let with_orphans = PileupFilter {
            count_orphans: true,
            ..PileupFilter::default()
        };
        assert_eq!(counts(&[orphan], &with_orphans).depth(), 1);
        // Mapping quality threshold, both sides.
        let mut q = ok.clone();
        *q.mapping_quality_mut() = noodles::sam::alignment::record::MappingQuality::new(19);
        let mq20 = PileupFilter {
            min_mapping_quality: 20,
            ..PileupFilter::default()
        };
        assert_eq!(counts(std::slice::from_ref(&q), &mq20).depth(), 0);
        *q.mapping_quality_mut() = noodles::sam::alignment::record::MappingQuality::new(20);
        assert_eq!(counts(&[q], &mq20).depth(), 1);
    }

    #[test]
    fn base_quality_threshold_both_sides() {
        let f = PileupFilter::default();
        let mut r = read("q", 1, "10M", b"ACGTACGTAC");
        r.quality_scores_mut().as_mut()[2] = 12;
        assert_eq!(counts(std::slice::from_ref(&r), &f).depth(), 0);
        r.quality_scores_mut().as_mut()[2] = 13;
        assert_eq!(counts(&[r], &f).depth(), 1);
    }

    #[test]
    fn max_depth_keeps_the_first_reads() {
        let f = PileupFilter {
            max_depth: Some(2),
            ..PileupFilter::default()
        };
        let reads: Vec<RecordBuf> = (0..5)
            .map(|i| read(&format!("r{i}"), 1, "10M", b"ACGTACGTAC"))
            .collect();
        assert_eq!(counts(&reads, &f).ref_count, 2);
    }
}
