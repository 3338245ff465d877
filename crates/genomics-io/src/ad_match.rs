//! Matching variant records to panel markers, shared by the VCF and BCF
//! readers of FORMAT/AD and FORMAT/GT ([`crate::vcf_ad`], [`crate::bcf_ad`]).
//!
//! A record speaks for a marker when, after trimming one of its REF/ALT
//! pairs to normalised form ([`normalise_pair`]), CHROM, POS, REF and ALT
//! equal the marker's — so multi-ALT records (`A,<*>` or `CTT,C,CT` as
//! `bcftools mpileup` writes them) match biallelic markers. A record at the
//! marker's position whose REF starts with the marker's REF base but that
//! does not list the marker's ALT (a sample with no ALT read) is a fallback:
//! ALT = 0 (or hom-ref for GT), used only when no exact record exists.

use std::collections::HashMap;

use graftwatch_chimerism::ngs::{Genotype, GenotypeCall, NoCall};
use graftwatch_chimerism::{AlleleCounts, Marker};
use graftwatch_core::GenomicPosition;

/// Trims a REF/ALT pair to its normalised (minimal, left-padded) form and
/// returns (pos, ref, alt).
pub fn normalise_pair(pos: GenomicPosition, r: &str, a: &str) -> (GenomicPosition, String, String) {
    let (mut r, mut a) = (r.as_bytes(), a.as_bytes());
    while r.len() > 1 && a.len() > 1 && r[r.len() - 1] == a[a.len() - 1] {
        r = &r[..r.len() - 1];
        a = &a[..a.len() - 1];
    }
    let mut pos = pos;
    if r.len() == a.len() {
        // SNP / MNP: drop the shared leading bases entirely.
        while r.len() > 1 && r[0] == a[0] {
            r = &r[1..];
            a = &a[1..];
            pos = pos.saturating_add(1);
        }
    }
    while r.len() > 1 && a.len() > 1 && r[0] == a[0] && r[1] == a[1] {
        r = &r[1..];
        a = &a[1..];
        pos = pos.saturating_add(1);
    }
    (
        pos,
        String::from_utf8_lossy(r).to_ascii_uppercase(),
        String::from_utf8_lossy(a).to_ascii_uppercase(),
    )
}

/// Which FORMAT field a scan extracts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    /// FORMAT/AD, allele depths.
    Ad,
    /// FORMAT/GT, genotype.
    Gt,
}

impl Field {
    /// The FORMAT key.
    pub(crate) fn key(self) -> &'static str {
        match self {
            Field::Ad => "AD",
            Field::Gt => "GT",
        }
    }
}

/// One value found for a marker.
pub(crate) enum Found {
    /// Allele depths.
    Counts(AlleleCounts),
    /// Genotype call.
    Call(GenotypeCall),
}

/// The markers one record speaks for.
pub(crate) struct Hits {
    /// (marker, 1-based allele index) of the record's ALT alleles that are
    /// a marker's ALT after normalisation.
    targets: Vec<(usize, usize)>,
    /// A marker at the record's position, with the same first REF base,
    /// whose ALT the record does not list.
    fallback: Option<usize>,
}

/// Panel markers indexed by allele and by site.
pub(crate) struct MarkerIndex<'m> {
    markers: &'m [Marker],
    by_allele: HashMap<(&'m str, GenomicPosition, &'m str, &'m str), usize>,
    by_site: HashMap<(&'m str, GenomicPosition), usize>,
}

impl<'m> MarkerIndex<'m> {
    /// Indexes `markers`.
    pub(crate) fn new(markers: &'m [Marker]) -> Self {
        let mut by_allele = HashMap::with_capacity(markers.len());
        let mut by_site = HashMap::with_capacity(markers.len());
        for (i, m) in markers.iter().enumerate() {
            by_allele.insert(
                (
                    m.chrom.as_str(),
                    m.pos,
                    m.ref_allele.as_str(),
                    m.alt_allele.as_str(),
                ),
                i,
            );
            by_site.insert((m.chrom.as_str(), m.pos), i);
        }
        Self {
            markers,
            by_allele,
            by_site,
        }
    }

    /// The markers a record (CHROM, POS, REF, ALT alleles without the
    /// missing `.`) speaks for, or `None` when it concerns no marker.
    /// Symbolic (`<*>`, `<DEL>`) and `*` alleles never match.
    pub(crate) fn hits(
        &self,
        chrom: &str,
        pos: GenomicPosition,
        reference: &str,
        alts: &[&str],
    ) -> Option<Hits> {
        let mut targets = Vec::new();
        for (ai, a) in alts.iter().enumerate() {
            if a.starts_with('<') || *a == "*" || *a == "." {
                continue;
            }
            let (p, r, a) = normalise_pair(pos, reference, a);
            if let Some(&m) = self.by_allele.get(&(chrom, p, r.as_str(), a.as_str())) {
                targets.push((m, ai + 1));
            }
        }
        let fallback = self.by_site.get(&(chrom, pos)).copied().filter(|&m| {
            targets.iter().all(|&(t, _)| t != m)
                && reference.as_bytes().first() == self.markers[m].ref_allele.as_bytes().first()
        });
        if targets.is_empty() && fallback.is_none() {
            None
        } else {
            Some(Hits { targets, fallback })
        }
    }
}

/// Checks that an AD vector has one value per allele (REF + `n_alts`);
/// the message says what was expected.
pub(crate) fn check_ad_len(ad_len: usize, n_alts: usize) -> Result<(), String> {
    if ad_len == n_alts + 1 {
        Ok(())
    } else {
        Err(format!(
            "has {ad_len} values; expected {} (REF + {n_alts} ALT)",
            n_alts + 1
        ))
    }
}

/// Allele indices of a VCF text genotype (`0/1`, `1|1`, `./.`); `None`
/// for a missing allele.
pub(crate) fn gt_alleles_from_text(gt: &str) -> Vec<Option<usize>> {
    gt.split(['/', '|'])
        .map(|x| x.parse::<usize>().ok())
        .collect()
}

/// Values found per marker: exact matches win over fallbacks; a later
/// record overrides an earlier one of the same kind.
pub(crate) struct Matches {
    exact: Vec<Option<Found>>,
    fallback: Vec<Option<Found>>,
}

impl Matches {
    /// Nothing found yet for `n` markers.
    pub(crate) fn new(n: usize) -> Self {
        Self {
            exact: (0..n).map(|_| None).collect(),
            fallback: (0..n).map(|_| None).collect(),
        }
    }

    /// Records the allele depths of one record (length already checked
    /// with [`check_ad_len`]).
    pub(crate) fn add_ad(&mut self, hits: &Hits, ad: &[u32]) {
        let total: u64 = ad.iter().map(|&x| u64::from(x)).sum();
        let rest = |used: u64| u32::try_from(total - used).unwrap_or(u32::MAX);
        for &(m, ai) in &hits.targets {
            self.exact[m] = Some(Found::Counts(AlleleCounts {
                ref_count: ad[0],
                alt_count: ad[ai],
                other: rest(u64::from(ad[0]) + u64::from(ad[ai])),
            }));
        }
        if let Some(m) = hits.fallback {
            self.fallback[m] = Some(Found::Counts(AlleleCounts {
                ref_count: ad[0],
                alt_count: 0,
                other: rest(u64::from(ad[0])),
            }));
        }
    }

    /// Records the genotype of one record (allele indices, `None` =
    /// missing).
    pub(crate) fn add_gt(&mut self, hits: &Hits, alleles: &[Option<usize>]) {
        let missing = alleles.iter().any(|a| a.is_none());
        for &(m, ai) in &hits.targets {
            let call = if missing {
                Err(NoCall::Missing)
            } else if alleles.len() != 2 || alleles.iter().flatten().any(|&x| x != 0 && x != ai) {
                // Not diploid, or carrying another ALT than the marker's.
                Err(NoCall::Unsupported)
            } else {
                let d = alleles.iter().flatten().filter(|&&x| x == ai).count() as u8;
                Genotype::from_alt_dosage(d).ok_or(NoCall::Unsupported)
            };
            self.exact[m] = Some(Found::Call(call));
        }
        if let Some(m) = hits.fallback {
            let call = if missing {
                Err(NoCall::Missing)
            } else if alleles.len() == 2 && alleles.iter().all(|a| *a == Some(0)) {
                Ok(Genotype::HomRef)
            } else {
                Err(NoCall::Unsupported)
            };
            self.fallback[m] = Some(Found::Call(call));
        }
    }

    /// Allele depths per marker (`None` = absent or AD missing).
    pub(crate) fn into_counts(self) -> Vec<Option<AlleleCounts>> {
        self.finish()
            .map(|f| match f {
                Some(Found::Counts(c)) => Some(c),
                _ => None,
            })
            .collect()
    }

    /// Genotype calls per marker (absent = `Err(NoCall::Missing)`).
    pub(crate) fn into_calls(self) -> Vec<GenotypeCall> {
        self.finish()
            .map(|f| match f {
                Some(Found::Call(c)) => c,
                _ => Err(NoCall::Missing),
            })
            .collect()
    }

    fn finish(self) -> impl Iterator<Item = Option<Found>> {
        self.exact
            .into_iter()
            .zip(self.fallback)
            .map(|(e, f)| e.or(f))
    }
}
