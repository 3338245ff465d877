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

use std::collections::{BTreeMap, HashMap};

use graftwatch_chimerism::ngs::sex::sex_chromosome;
use graftwatch_chimerism::ngs::{Genotype, GenotypeCall, NoCall};
use graftwatch_chimerism::{AlleleCounts, Marker};
use graftwatch_core::GenomicPosition;

use crate::count_fields::{CountFields, Outcome, RawInts, Source};

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
    /// The record covers the marker but cannot give its counts: why (the
    /// same words for every marker skipped for that reason) and a detail
    /// of this marker's record (empty, or e.g. `block chr1:90-250`).
    Skipped(String, String),
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

impl Hits {
    /// Whether some ALT allele of the record is a marker's ALT.
    pub(crate) fn has_targets(&self) -> bool {
        !self.targets.is_empty()
    }
}

/// Panel markers indexed by allele and by site.
pub(crate) struct MarkerIndex<'m> {
    markers: &'m [Marker],
    by_allele: HashMap<(&'m str, GenomicPosition, &'m str, &'m str), usize>,
    by_site: HashMap<(&'m str, GenomicPosition), usize>,
    /// Per contig, (1-based position, marker) sorted by position.
    by_chrom: HashMap<&'m str, Vec<(u64, usize)>>,
}

impl<'m> MarkerIndex<'m> {
    /// Indexes `markers`.
    pub(crate) fn new(markers: &'m [Marker]) -> Self {
        let mut by_allele = HashMap::with_capacity(markers.len());
        let mut by_site = HashMap::with_capacity(markers.len());
        let mut by_chrom: HashMap<&str, Vec<(u64, usize)>> = HashMap::new();
        for (i, m) in markers.iter().enumerate() {
            by_chrom
                .entry(m.chrom.as_str())
                .or_default()
                .push((m.pos.one_based(), i));
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
        for v in by_chrom.values_mut() {
            v.sort_unstable();
        }
        Self {
            markers,
            by_allele,
            by_site,
            by_chrom,
        }
    }

    /// Markers on `chrom` after position `start` up to `end` (1-based,
    /// inclusive): those a reference block starting at `start` covers.
    pub(crate) fn inside(&self, chrom: &str, start: u64, end: u64) -> Vec<usize> {
        let Some(v) = self.by_chrom.get(chrom) else {
            return Vec::new();
        };
        let from = v.partition_point(|&(p, _)| p <= start);
        v[from..]
            .iter()
            .take_while(|&&(p, _)| p <= end)
            .map(|&(_, m)| m)
            .collect()
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

/// One record's site as both readers see it.
pub(crate) struct Site<'r> {
    /// CHROM.
    pub(crate) chrom: &'r str,
    /// POS.
    pub(crate) pos: GenomicPosition,
    /// REF.
    pub(crate) reference: &'r str,
    /// ALT alleles without the missing `.` (symbolic ones included).
    pub(crate) alts: &'r [&'r str],
    /// INFO/END of a record that may be a reference block
    /// ([`may_be_block`]); `None` otherwise.
    pub(crate) end: Option<u64>,
}

/// Whether a record may be a reference block (gVCF `<NON_REF>`, `<*>` or
/// the older `<X>`, Platypus' `N` reference calls, no ALT): only then is
/// INFO/END read. A structural variant (`<DEL>` with END) is not one.
pub(crate) fn may_be_block(alts: &[&str]) -> bool {
    alts.iter()
        .all(|a| matches!(*a, "<NON_REF>" | "<*>" | "<X>" | "N" | "n"))
}

/// The error of [`add_record_counts`]: the fields (`AD`, `RO/AO`, a
/// FORMAT key) and what is wrong with them.
pub(crate) type CountError = (String, String);

/// Reads one record's read counts into `found` for the markers it speaks
/// for (the per-record step of both the VCF and the BCF reader); `get`
/// reads one FORMAT key of the sample.
///
/// A reference block (INFO/END, no marker ALT listed) gives no per-site
/// ALT count: every marker it covers is skipped with that reason. A marker
/// whose ALT the record does not list while reads of unlisted alleles are
/// pooled in `<NON_REF>` is skipped too (its ALT reads are unknown).
/// Returns whether the record is at a marker's site.
pub(crate) fn add_record_counts(
    found: &mut Matches,
    index: &MarkerIndex<'_>,
    fields: &CountFields,
    site: &Site<'_>,
    get: &mut dyn FnMut(&str) -> Result<RawInts, String>,
) -> Result<bool, CountError> {
    let hits = index.hits(site.chrom, site.pos, site.reference, site.alts);
    let concerned = hits.is_some();
    if let Some(end) = site.end
        && hits.as_ref().is_none_or(|h| !h.has_targets())
    {
        skip_block(found, index, hits.as_ref(), site, end);
        return Ok(concerned);
    }
    let Some(hits) = hits else {
        return Ok(false);
    };
    let outcome = fields
        .read(site.reference, site.alts, get)
        .map_err(|(f, m)| (f.to_string(), m))?;
    match outcome {
        Outcome::Absent => {}
        Outcome::Unusable(why) => {
            for &(m, _) in &hits.targets {
                found.skip(m, true, why.clone(), String::new());
            }
            if let Some(m) = hits.fallback {
                found.skip(m, false, why, String::new());
            }
        }
        Outcome::Counts {
            counts,
            source,
            bases,
        } => {
            *found.sources.entry(source).or_default() += 1;
            let fallback = hits.fallback.and_then(|m| {
                fallback_alt(index.markers[m].alt_allele.as_str(), site, &counts, bases)
                    .map_err(|(why, detail)| found.skip(m, false, why, detail))
                    .ok()
                    .map(|alt| (m, alt))
            });
            let total = bases.map(|b| b.iter().map(|&x| u64::from(x)).sum());
            found.add_ad(&hits.targets, fallback, &counts, total);
        }
    }
    Ok(true)
}

/// The ALT reads of a marker whose ALT the record does not list: its base
/// count (Strelka), else 0 — unless reads of unlisted alleles are pooled
/// in `<NON_REF>` or `<*>`, which makes them unknown (the reason and the
/// record's detail).
fn fallback_alt(
    alt: &str,
    site: &Site<'_>,
    counts: &[u32],
    bases: Option<[u32; 4]>,
) -> Result<u32, (String, String)> {
    if let (Some(b), Some(i)) = (bases, crate::count_fields::base_index(alt)) {
        return Ok(b[i]);
    }
    // `<NON_REF>` (GATK) and `<*>` (bcftools, DeepVariant) hold the reads
    // of alleles the record does not list.
    let pooled: Vec<(&str, u32)> = site
        .alts
        .iter()
        .zip(&counts[1..])
        .filter(|(a, n)| (**a == "<NON_REF>" || **a == "<*>") && **n > 0)
        .map(|(a, &n)| (*a, n))
        .collect();
    if let [(allele, n), ..] = pooled.as_slice() {
        return Err((
            format!(
                "the record does not list the marker's ALT and {allele} holds reads of unlisted alleles: its ALT reads are unknown"
            ),
            format!("{n} reads in {allele}"),
        ));
    }
    Ok(0)
}

/// Skips every marker a reference block covers (its start, if the block
/// does not list the marker's ALT, and the markers inside it).
fn skip_block(
    found: &mut Matches,
    index: &MarkerIndex<'_>,
    hits: Option<&Hits>,
    site: &Site<'_>,
    end: u64,
) {
    let start = site.pos.one_based();
    let why = "in a reference block (INFO/END): a gVCF or reference-call block gives no per-site ALT read count";
    let detail = format!("block {}:{start}-{end}", site.chrom);
    if let Some(m) = hits.and_then(|h| h.fallback) {
        found.skip(m, false, why.into(), detail.clone());
    }
    for m in index.inside(site.chrom, start, end) {
        found.skip(m, false, why.into(), detail.clone());
    }
}

/// Most markers a skip note names (the rest are counted).
const SKIP_NOTE_NAMES: usize = 10;

/// The note for the markers skipped for one reason: each named (up to
/// [`SKIP_NOTE_NAMES`]) with its site, so a gVCF with hundreds of markers
/// in reference blocks says so in one line.
fn skip_note(why: &str, labels: &[String]) -> String {
    if let [one] = labels {
        return format!("marker {one} skipped: {why}");
    }
    let named = labels[..labels.len().min(SKIP_NOTE_NAMES)].join(", ");
    let more = labels.len().saturating_sub(SKIP_NOTE_NAMES);
    let more = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    format!("{} markers skipped: {why}: {named}{more}", labels.len())
}

/// "s" for a count other than one.
fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
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
    /// Records read per read-count source (the per-file notes).
    sources: BTreeMap<Source, usize>,
    /// Markers two records listing their ALT gave different read counts
    /// (a duplicated record edited, or two runs concatenated): which is
    /// right is unknown, so the marker is skipped ([`CONFLICTING_RECORDS`]).
    conflicting: Vec<bool>,
}

/// Why a marker with two records of different read counts is skipped.
pub(crate) const CONFLICTING_RECORDS: &str =
    "two records list the marker's ALT with different read counts (which one is right is unknown)";

impl Matches {
    /// Nothing found yet for `n` markers.
    pub(crate) fn new(n: usize) -> Self {
        Self {
            exact: (0..n).map(|_| None).collect(),
            fallback: (0..n).map(|_| None).collect(),
            sources: BTreeMap::new(),
            conflicting: vec![false; n],
        }
    }

    /// Marks marker `m` as covered by a record that cannot give its
    /// counts (`exact`: the record lists the marker's ALT), with the reason
    /// and a detail of the record.
    pub(crate) fn skip(&mut self, m: usize, exact: bool, reason: String, detail: String) {
        let slot = if exact {
            &mut self.exact[m]
        } else {
            &mut self.fallback[m]
        };
        *slot = Some(Found::Skipped(reason, detail));
    }

    /// Records the allele depths of one record (REF + one per ALT) for
    /// the markers of `targets` and the fallback marker with its ALT reads
    /// (0 when the record does not list its ALT).
    /// `total`: all reads at the site when the record counts more than
    /// its listed alleles (Strelka's four bases), else the sum of `ad`.
    fn add_ad(
        &mut self,
        targets: &[(usize, usize)],
        fallback: Option<(usize, u32)>,
        ad: &[u32],
        total: Option<u64>,
    ) {
        let total: u64 = total.unwrap_or_else(|| ad.iter().map(|&x| u64::from(x)).sum());
        let rest = |used: u64| u32::try_from(total.saturating_sub(used)).unwrap_or(u32::MAX);
        for &(m, ai) in targets {
            let counts = AlleleCounts {
                ref_count: ad[0],
                alt_count: ad[ai],
                other: rest(u64::from(ad[0]) + u64::from(ad[ai])),
            };
            if matches!(&self.exact[m], Some(Found::Counts(c)) if *c != counts) {
                self.conflicting[m] = true;
            }
            self.exact[m] = Some(Found::Counts(counts));
        }
        if let Some((m, alt)) = fallback {
            self.fallback[m] = Some(Found::Counts(AlleleCounts {
                ref_count: ad[0],
                alt_count: alt,
                other: rest(u64::from(ad[0]) + u64::from(alt)),
            }));
        }
    }

    /// Records the genotype of one record (allele indices, `None` =
    /// missing). A haploid call (`0`, `1`: one allele) at a marker on X or
    /// Y outside the pseudo-autosomal regions is a male's hemizygous call
    /// and reads as homozygous (`1` = HomAlt), as counts of his reads
    /// would be called; elsewhere it is not diploid and unsupported.
    pub(crate) fn add_gt(
        &mut self,
        hits: &Hits,
        alleles: &[Option<usize>],
        index: &MarkerIndex<'_>,
    ) {
        let of = |m: usize| -> Vec<Option<usize>> {
            match alleles {
                [a] if sex_chromosome(&index.markers[m]).is_some() => vec![*a, *a],
                _ => alleles.to_vec(),
            }
        };
        for &(m, ai) in &hits.targets {
            let alleles = of(m);
            let call = if alleles.iter().any(Option::is_none) {
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
            let alleles = of(m);
            let call = if alleles.iter().any(Option::is_none) {
                Err(NoCall::Missing)
            } else if alleles.len() == 2 && alleles.iter().all(|a| *a == Some(0)) {
                Ok(Genotype::HomRef)
            } else {
                Err(NoCall::Unsupported)
            };
            self.fallback[m] = Some(Found::Call(call));
        }
    }

    /// Allele depths per marker (`None` = absent, counts missing or
    /// unusable) and the notes for the file: which fields were read, and
    /// each marker skipped with its reason.
    pub(crate) fn into_counts(
        self,
        markers: &[Marker],
    ) -> (Vec<Option<AlleleCounts>>, Vec<String>) {
        // FORMAT/AD alone is the documented default: no note.
        let only_ad = self.sources.keys().all(|s| *s == Source::Ad);
        let mut notes: Vec<String> = self
            .sources
            .iter()
            .filter(|_| !only_ad)
            .map(|(s, n)| format!("{} ({n} record{} at panel sites)", s.note(), plural(*n)))
            .collect();
        let mut skipped: Vec<(String, Vec<String>)> = Vec::new();
        let counts = self
            .finish()
            .enumerate()
            .map(|(i, f)| match f {
                Some(Found::Counts(c)) => Some(c),
                Some(Found::Skipped(why, detail)) => {
                    let m = &markers[i];
                    let detail = if detail.is_empty() {
                        detail
                    } else {
                        format!("; {detail}")
                    };
                    let label = format!("{} ({}:{}{detail})", m.id, m.chrom, m.pos);
                    match skipped.iter_mut().find(|(w, _)| *w == why) {
                        Some((_, labels)) => labels.push(label),
                        None => skipped.push((why, vec![label])),
                    }
                    None
                }
                _ => None,
            })
            .collect();
        notes.extend(
            skipped
                .into_iter()
                .map(|(why, labels)| skip_note(&why, &labels)),
        );
        (counts, notes)
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
            .zip(self.conflicting)
            .map(|((e, f), conflict)| {
                if conflict {
                    Some(Found::Skipped(CONFLICTING_RECORDS.into(), String::new()))
                } else {
                    e.or(f)
                }
            })
    }
}

#[cfg(test)]
mod tests {
    use super::skip_note;

    #[test]
    fn reference_blocks_are_told_from_structural_variants() {
        use super::may_be_block;
        for alts in [&["<NON_REF>"][..], &["<*>"], &["N"], &[], &["<X>"]] {
            assert!(may_be_block(alts), "{alts:?}");
        }
        for alts in [&["<DEL>"][..], &["G", "<NON_REF>"], &["<INS>"]] {
            assert!(!may_be_block(alts), "{alts:?}");
        }
    }

    #[test]
    fn a_skip_note_names_one_marker_or_up_to_ten_and_counts_the_rest() {
        assert_eq!(
            skip_note("why", &["rs1 (chr1:5)".into()]),
            "marker rs1 (chr1:5) skipped: why"
        );
        let many: Vec<String> = (1..=12).map(|i| format!("m{i}")).collect();
        assert_eq!(
            skip_note("why", &many),
            "12 markers skipped: why: m1, m2, m3, m4, m5, m6, m7, m8, m9, m10 and 2 more"
        );
    }
}
