//! Which persons can be told apart: for each pair, the number of usable
//! markers where their genotypes differ. Donors with fewer than the minimum
//! (3 by default) discriminating markers are not split; their combined
//! fraction is reported instead.

use serde::{Deserialize, Serialize};

use super::genotype::Genotype;

/// Discriminating-marker count of one pair of persons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PairInformativeness {
    /// First person's name.
    pub a: String,
    /// Second person's name.
    pub b: String,
    /// Usable markers where their genotypes differ.
    pub markers: usize,
}

/// Counts discriminating markers for every pair; `genotypes[m][k]` is person
/// k's genotype at usable marker m.
pub fn pair_counts(names: &[String], genotypes: &[Vec<Genotype>]) -> Vec<PairInformativeness> {
    let k = names.len();
    let mut out = Vec::new();
    for a in 0..k {
        for b in a + 1..k {
            let markers = genotypes.iter().filter(|g| g[a] != g[b]).count();
            out.push(PairInformativeness {
                a: names[a].clone(),
                b: names[b].clone(),
                markers,
            });
        }
    }
    out
}

/// Groups of donors (column indices) that cannot be split from each other:
/// the connected components of the "fewer than `min_markers` discriminating
/// markers" relation among `donors`. Singletons are omitted.
pub fn unsplittable_groups(
    donors: &[usize],
    genotypes: &[Vec<Genotype>],
    min_markers: usize,
) -> Vec<Vec<usize>> {
    let mut parent: Vec<usize> = (0..donors.len()).collect();
    fn find(p: &mut [usize], x: usize) -> usize {
        let mut r = x;
        while p[r] != r {
            r = p[r];
        }
        p[x] = r;
        r
    }
    for i in 0..donors.len() {
        for j in i + 1..donors.len() {
            let n = genotypes
                .iter()
                .filter(|g| g[donors[i]] != g[donors[j]])
                .count();
            if n < min_markers {
                let (ri, rj) = (find(&mut parent, i), find(&mut parent, j));
                parent[ri] = rj;
            }
        }
    }
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for i in 0..donors.len() {
        let r = find(&mut parent, i);
        let members: Vec<usize> = (0..donors.len())
            .filter(|&j| find(&mut parent.clone(), j) == r)
            .map(|j| donors[j])
            .collect();
        if members.len() > 1 && !groups.contains(&members) {
            groups.push(members);
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use Genotype::*;

    #[test]
    fn threshold_both_sides() {
        // Donors 1 and 2 differ at exactly 2 markers, then 3.
        let mut g = vec![vec![HomRef, HomAlt, HomAlt]; 10];
        g[0][2] = HomRef;
        g[1][2] = Het;
        assert_eq!(unsplittable_groups(&[1, 2], &g, 3), vec![vec![1, 2]]);
        g[2][2] = Het;
        assert!(unsplittable_groups(&[1, 2], &g, 3).is_empty());
        let names = vec!["r".to_string(), "d1".to_string(), "d2".to_string()];
        let pc = pair_counts(&names, &g);
        assert_eq!(pc[2].markers, 3);
        assert_eq!(pc[0].markers, 10);
    }
}
