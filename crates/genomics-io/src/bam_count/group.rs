//! Region planning: markers close enough on one contig share one index
//! query, in groups of bounded size so that worker threads get balanced
//! work.

use graftwatch_core::GenomicPosition;

use crate::marker_site::Site;

/// Markers whose read windows are close enough to share one index query.
#[derive(Debug, Clone)]
pub(super) struct Group {
    pub(super) tid: usize,
    /// First position queried.
    pub(super) start: GenomicPosition,
    /// Last position queried.
    pub(super) end: GenomicPosition,
    /// Indices into the site list, sorted by position.
    pub(super) members: Vec<usize>,
}

/// Gap (bp) below which neighbouring markers share a query.
const MERGE_GAP: u64 = 1000;
/// Upper bound on markers per group, so that threads get balanced work.
const MAX_GROUP_MEMBERS: usize = 64;

pub(super) fn group_sites(sites: &[(usize, Site)]) -> Vec<Group> {
    let mut order: Vec<usize> = (0..sites.len()).collect();
    order.sort_by_key(|&i| (sites[i].0, sites[i].1.anchor));
    let mut groups: Vec<Group> = Vec::new();
    for i in order {
        let (tid, site) = &sites[i];
        if let Some(g) = groups.last_mut()
            && g.tid == *tid
            && site.anchor.one_based() <= g.end.one_based().saturating_add(MERGE_GAP)
            && g.members.len() < MAX_GROUP_MEMBERS
        {
            g.end = g.end.max(site.last);
            g.members.push(i);
            continue;
        }
        groups.push(Group {
            tid: *tid,
            start: site.anchor,
            end: site.last,
            members: vec![i],
        });
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::marker_site::SiteKind;

    /// An SNV at 0-based `pos0`.
    fn snv(pos0: u64) -> Site {
        let p = GenomicPosition::from_zero_based(pos0).unwrap();
        Site {
            anchor: p,
            last: p,
            kind: SiteKind::Snv {
                ref_base: b'A',
                alt_base: b'C',
            },
        }
    }

    #[test]
    fn neighbours_share_a_query_distant_markers_and_contigs_do_not() {
        // Given out of order: groups are sorted by contig and position.
        let sites = vec![(0, snv(11)), (0, snv(0)), (1, snv(4)), (0, snv(1))];
        let g = group_sites(&sites);
        let got: Vec<(usize, Vec<usize>)> = g.iter().map(|g| (g.tid, g.members.clone())).collect();
        assert_eq!(got, vec![(0, vec![1, 3, 0]), (1, vec![2])]);
        assert_eq!((g[0].start.zero_based(), g[0].end.zero_based()), (0, 11));
    }

    #[test]
    fn merge_gap_boundary() {
        let joined = [(0, snv(0)), (0, snv(MERGE_GAP))];
        assert_eq!(group_sites(&joined).len(), 1);
        let apart = [(0, snv(0)), (0, snv(MERGE_GAP + 1))];
        assert_eq!(group_sites(&apart).len(), 2);
    }

    #[test]
    fn groups_are_capped_for_balanced_threads() {
        let sites: Vec<(usize, Site)> = (0..=MAX_GROUP_MEMBERS as u64)
            .map(|i| (0, snv(i)))
            .collect();
        let g = group_sites(&sites);
        assert_eq!(g.len(), 2);
        assert_eq!(g[0].members.len(), MAX_GROUP_MEMBERS);
    }
}
