//! Which FORMAT fields hold a sample's read counts, per variant caller —
//! the one place that knows, used by the VCF text reader
//! ([`crate::vcf_ad`]) and the BCF reader ([`crate::bcf_ad`]).
//!
//! The fields a file offers are decided once, from its header (the FORMAT
//! definitions), in this order of precedence:
//!
//! | source | fields | callers |
//! |---|---|---|
//! | `AD` | AD (`Number=R`, or `.`/`G`/a fixed count: one value per allele) | bcftools, GATK, freebayes ≥ 1.0, Strelka2 germline, DeepVariant |
//! | `RO/AO` | RO (REF observations), AO (`Number=A`) | freebayes |
//! | `RD/AD` | RD (REF depth), AD declared `Number=1` = ALT depth | VarScan2 |
//! | `NR/NV` | NR (reads covering the site), NV (reads with the variant): REF = NR − NV | Platypus |
//! | `AU/CU/GU/TU` | tier-1 count of the REF and ALT base | Strelka (somatic SNVs) |
//! | `TAR/TIR` | tier-1 REF and indel reads | Strelka (somatic indels) |
//!
//! Every source the header defines is kept, in that order; a record is
//! read from the first whose values it carries (AD when present, else
//! RO/AO …). An AD declared `Number=1` or `Number=A` holds ALT depths only:
//! it is read with RD (VarScan2) and is never taken for REF+ALT; without RD
//! the file is refused. Counts are never invented: a record whose fields
//! cannot give the marker's REF and ALT reads (a multi-ALT Platypus record,
//! a non-ACGT Strelka base) makes the marker unusable with a named reason.

use noodles::vcf;
use vcf::header::record::value::map::format::{Number, Type};

/// Where a record's read counts were read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Source {
    /// FORMAT/AD, one value per allele.
    Ad,
    /// freebayes: RO and AO.
    RoAo,
    /// VarScan2: RD and AD (ALT depth, `Number=1`).
    RdAd,
    /// Platypus: NR and NV.
    NrNv,
    /// Strelka somatic SNVs: AU, CU, GU, TU (tier 1).
    StrelkaSnv,
    /// Strelka somatic indels: TAR, TIR (tier 1).
    StrelkaIndel,
}

const BASE_KEYS: [&str; 4] = ["AU", "CU", "GU", "TU"];

impl Source {
    /// The FORMAT keys this source reads.
    pub(crate) fn keys(self) -> &'static [&'static str] {
        match self {
            Source::Ad => &["AD"],
            Source::RoAo => &["RO", "AO"],
            Source::RdAd => &["RD", "AD"],
            Source::NrNv => &["NR", "NV"],
            Source::StrelkaSnv => &BASE_KEYS,
            Source::StrelkaIndel => &["TAR", "TIR"],
        }
    }

    /// How messages name the source (`AD`, `RO/AO`, …).
    pub(crate) fn label(self) -> &'static str {
        match self {
            Source::Ad => "AD",
            Source::RoAo => "RO/AO",
            Source::RdAd => "RD/AD",
            Source::NrNv => "NR/NV",
            Source::StrelkaSnv => "AU/CU/GU/TU",
            Source::StrelkaIndel => "TAR/TIR",
        }
    }

    /// The note a run prints once per file: which fields were read.
    pub(crate) fn note(self) -> &'static str {
        match self {
            Source::Ad => "counts read from FORMAT/AD",
            Source::RoAo => "counts read from FORMAT/RO and AO (freebayes)",
            Source::RdAd => {
                "counts read from FORMAT/RD (REF) and AD declared Number=1 as the ALT depth (VarScan2)"
            }
            Source::NrNv => "counts read from FORMAT/NR and NV, REF = NR - NV (Platypus)",
            Source::StrelkaSnv => {
                "counts read from the tier-1 FORMAT/AU, CU, GU, TU of the REF and ALT bases (Strelka somatic SNVs)"
            }
            Source::StrelkaIndel => {
                "counts read from the tier-1 FORMAT/TAR (REF) and TIR (indel) (Strelka somatic indels)"
            }
        }
    }
}

/// The read-count sources a file's header offers, in precedence order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CountFields {
    sources: Vec<Source>,
}

/// What one record says about the sample's reads at its alleles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// REF then one count per ALT allele, and where they were read from.
    /// `bases`: the tier-1 A, C, G, T counts when the source has them
    /// (Strelka), so a marker whose ALT the record does not list still
    /// gets its real ALT count.
    Counts {
        counts: Vec<u32>,
        source: Source,
        bases: Option<[u32; 4]>,
    },
    /// No source's values are in the record (or all are `.`).
    Absent,
    /// The record has values but they cannot give REF and ALT reads.
    Unusable(String),
}

/// One raw integer FORMAT value: `None` when the key is absent or the
/// value is `.`; elements `None` where missing.
pub(crate) type RawInts = Option<Vec<Option<i64>>>;

impl CountFields {
    /// The sources `header` defines (a header whose AD definition was
    /// added by graftwatch is not passed here: see
    /// [`crate::vcf_text::parse_header`]). An AD declared as ALT depths
    /// (`Number=1` or `Number=A`) without RD is an error.
    pub(crate) fn from_header(header: &vcf::Header) -> Result<Self, String> {
        let formats = header.formats();
        let has = |k: &str| formats.contains_key(k);
        let mut sources = Vec::new();
        if let Some(ad) = formats.get("AD") {
            // An AD of another Type is refused at its first record, naming the Type.
            let alt_only = matches!(ad.number(), Number::Count(1) | Number::AlternateBases)
                && ad.ty() == Type::Integer;
            if !alt_only {
                sources.push(Source::Ad);
            } else if has("RD") {
                sources.push(Source::RdAd);
            } else {
                return Err(format!(
                    "the header declares FORMAT/AD with Number={} (one value: ALT depth only, as VarScan2 writes) but defines no FORMAT/RD (REF depth); expected AD with Number=R (REF and ALT depths) or RD with it",
                    if matches!(ad.number(), Number::AlternateBases) {
                        "A"
                    } else {
                        "1"
                    }
                ));
            }
        }
        if has("RO") && has("AO") {
            sources.push(Source::RoAo);
        }
        if has("NR") && has("NV") {
            sources.push(Source::NrNv);
        }
        if BASE_KEYS.iter().all(|k| has(k)) {
            sources.push(Source::StrelkaSnv);
        }
        if has("TAR") && has("TIR") {
            sources.push(Source::StrelkaIndel);
        }
        if sources.is_empty() {
            // No definition: FORMAT/AD as VCF 4.3 reserves it.
            sources.push(Source::Ad);
        }
        Ok(CountFields { sources })
    }

    /// Every FORMAT key any source reads.
    pub(crate) fn keys(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.sources.iter().flat_map(|s| s.keys().iter().copied())
    }

    /// The sources, in precedence order.
    #[cfg(test)]
    pub(crate) fn sources(&self) -> &[Source] {
        &self.sources
    }

    /// The sample's counts at a record with REF `reference` and ALT
    /// alleles `alts` (symbolic ones included, `.` left out); `get` reads
    /// one FORMAT key's raw integers. The error is (the fields, e.g. `AD`
    /// or `RO/AO`, what is wrong).
    pub(crate) fn read(
        &self,
        reference: &str,
        alts: &[&str],
        get: &mut dyn FnMut(&str) -> Result<RawInts, String>,
    ) -> Result<Outcome, (&'static str, String)> {
        'sources: for &source in &self.sources {
            let mut values = Vec::with_capacity(source.keys().len());
            for &k in source.keys() {
                // A record without ALT (freebayes --report-monomorphic) needs
                // no AO.
                if alts.is_empty() && source == Source::RoAo && k == "AO" {
                    values.push(Vec::new());
                    continue;
                }
                match get(k).map_err(|m| (k, m))? {
                    Some(v) if v.iter().any(Option::is_some) => values.push(v),
                    // Absent or all `.`: the record has not this source.
                    _ => continue 'sources,
                }
            }
            return counts_of(source, &values, reference, alts).map_err(|m| (source.label(), m));
        }
        Ok(Outcome::Absent)
    }
}

/// The counts of one source from its fields' values (each with at least
/// one non-missing element), in the key order of [`Source::keys`].
fn counts_of(
    source: Source,
    v: &[Vec<Option<i64>>],
    reference: &str,
    alts: &[&str],
) -> Result<Outcome, String> {
    let n_alts = alts.len();
    let done = |counts: Vec<u32>| Outcome::Counts {
        counts,
        source,
        bases: None,
    };
    match source {
        Source::Ad => {
            let ad = read_counts(&v[0])?;
            check_len(&ad, n_alts + 1, "values", n_alts)?;
            Ok(done(ad))
        }
        Source::RoAo => {
            let ro = read_counts(&v[0])?;
            let ao = read_counts(&v[1])?;
            check_len(&ro, 1, "RO values", n_alts)?;
            check_len(&ao, n_alts, "AO values", n_alts)?;
            Ok(done([ro, ao].concat()))
        }
        Source::RdAd => {
            let rd = read_counts(&v[0])?;
            let ad = read_counts(&v[1])?;
            check_len(&rd, 1, "RD values", n_alts)?;
            if n_alts == 0 {
                // mpileup2cns at a reference site: ALT '.', AD the reads of
                // the commonest other base (not named).
                check_len(&ad, 1, "AD values", n_alts)?;
                return Ok(match ad[0] {
                    0 => done(rd),
                    n => Outcome::Unusable(format!(
                        "VarScan2 AD holds {n} reads of an allele the record does not name (ALT '.')"
                    )),
                });
            }
            if n_alts != 1 {
                return Ok(Outcome::Unusable(format!(
                    "VarScan2 RD/AD at a record with {n_alts} ALT alleles (AD holds one ALT depth)"
                )));
            }
            check_len(&ad, 1, "AD values", n_alts)?;
            Ok(done(vec![rd[0], ad[0]]))
        }
        Source::NrNv => platypus(&v[0], &v[1], n_alts),
        Source::StrelkaSnv => strelka_snv(v, reference, alts),
        Source::StrelkaIndel => {
            let tar = read_counts(&v[0])?;
            let tir = read_counts(&v[1])?;
            check_len(&tar, 2, "TAR values (tiers 1,2)", n_alts)?;
            check_len(&tir, 2, "TIR values (tiers 1,2)", n_alts)?;
            if n_alts != 1 {
                return Ok(Outcome::Unusable(format!(
                    "Strelka TAR/TIR at a record with {n_alts} ALT alleles (one indel allele expected)"
                )));
            }
            Ok(done(vec![tar[0], tir[0]]))
        }
    }
}

/// Platypus: REF = NR − NV at a biallelic record; a multi-ALT record is
/// unusable (the NV of overlapping alleles can sum to more than NR, so
/// NR − ΣNV is not the REF reads).
fn platypus(nr: &[Option<i64>], nv: &[Option<i64>], n_alts: usize) -> Result<Outcome, String> {
    let nr = read_counts(nr)?;
    let nv = read_counts(nv)?;
    if n_alts != 1 {
        return Ok(Outcome::Unusable(format!(
            "Platypus NR/NV at a record with {n_alts} ALT alleles: the REF reads (NR - NV) are not defined when several alleles share the reads; count this sample from its BAM"
        )));
    }
    check_len(&nr, 1, "NR values", n_alts)?;
    check_len(&nv, 1, "NV values", n_alts)?;
    let (total, alt) = (nr[0], nv[0]);
    if alt > total {
        return Err(format!(
            "NV {alt} is more than NR {total}; expected the variant reads (NV) to be part of the reads covering the site (NR)"
        ));
    }
    Ok(Outcome::Counts {
        counts: vec![total - alt, alt],
        source: Source::NrNv,
        bases: None,
    })
}

/// Strelka somatic SNVs: tier-1 counts of the REF base and each ALT base.
fn strelka_snv(v: &[Vec<Option<i64>>], reference: &str, alts: &[&str]) -> Result<Outcome, String> {
    let mut bases = [0u32; 4];
    for (i, vals) in v.iter().enumerate() {
        let c = read_counts(vals)?;
        if c.len() != 2 {
            return Err(format!(
                "{} has {} values; expected 2 (tiers 1,2)",
                BASE_KEYS[i],
                c.len()
            ));
        }
        bases[i] = c[0];
    }
    let mut counts = Vec::with_capacity(alts.len() + 1);
    for allele in std::iter::once(reference).chain(alts.iter().copied()) {
        match base_index(allele) {
            Some(i) => counts.push(bases[i]),
            None => {
                return Ok(Outcome::Unusable(format!(
                    "Strelka AU/CU/GU/TU count single bases; allele '{allele}' is not one of A, C, G, T"
                )));
            }
        }
    }
    Ok(Outcome::Counts {
        counts,
        source: Source::StrelkaSnv,
        bases: Some(bases),
    })
}

/// Index of a single-base allele in A, C, G, T.
pub(crate) fn base_index(allele: &str) -> Option<usize> {
    match allele.to_ascii_uppercase().as_str() {
        "A" => Some(0),
        "C" => Some(1),
        "G" => Some(2),
        "T" => Some(3),
        _ => None,
    }
}

/// Read counts from raw integers; a partly missing or negative vector is
/// an error.
fn read_counts(vals: &[Option<i64>]) -> Result<Vec<u32>, String> {
    vals.iter()
        .map(|x| x.and_then(|x| u32::try_from(x).ok()))
        .collect::<Option<Vec<u32>>>()
        .ok_or_else(|| {
            let text: Vec<String> = vals
                .iter()
                .map(|x| x.map_or(".".into(), |x| x.to_string()))
                .collect();
            format!("'{}' is not a list of read counts", text.join(","))
        })
}

/// Checks a field's number of values; `what` names them.
fn check_len(vals: &[u32], want: usize, what: &str, n_alts: usize) -> Result<(), String> {
    if vals.len() == want {
        return Ok(());
    }
    if what == "values" {
        return Err(format!(
            "has {} values; expected {want} (REF + {n_alts} ALT)",
            vals.len()
        ));
    }
    Err(format!(
        "has {} {what}; expected {want} (record with {n_alts} ALT allele{})",
        vals.len(),
        if n_alts == 1 { "" } else { "s" }
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(formats: &str) -> vcf::Header {
        format!("##fileformat=VCFv4.2\n{formats}#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\ts\n")
            .parse()
            .unwrap()
    }

    fn fmt(id: &str, number: &str) -> String {
        format!("##FORMAT=<ID={id},Number={number},Type=Integer,Description=\"x\">\n")
    }

    fn read(f: &CountFields, alts: &[&str], vals: &[(&str, &[i64])]) -> Result<Outcome, String> {
        f.read("A", alts, &mut |k| {
            Ok(vals
                .iter()
                .find(|(key, _)| *key == k)
                .map(|(_, v)| v.iter().map(|&x| Some(x)).collect()))
        })
        .map_err(|(f, m)| format!("{f} {m}"))
    }

    fn counts(o: Outcome) -> (Vec<u32>, Source) {
        match o {
            Outcome::Counts { counts, source, .. } => (counts, source),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn precedence_is_ad_then_the_callers_fields() {
        let h = header(&[fmt("AD", "R"), fmt("RO", "1"), fmt("AO", "A")].concat());
        let f = CountFields::from_header(&h).unwrap();
        assert_eq!(f.sources(), [Source::Ad, Source::RoAo]);
        let both = read(&f, &["G"], &[("AD", &[5, 3]), ("RO", &[9]), ("AO", &[9])]).unwrap();
        assert_eq!(counts(both), (vec![5, 3], Source::Ad));
        let ro_ao = read(&f, &["G", "T"], &[("RO", &[9]), ("AO", &[4, 1])]).unwrap();
        assert_eq!(counts(ro_ao), (vec![9, 4, 1], Source::RoAo));
        assert_eq!(read(&f, &["G"], &[]).unwrap(), Outcome::Absent);
    }

    #[test]
    fn varscan_ad_number_1_is_alt_depth_with_rd_and_refused_without() {
        let f =
            CountFields::from_header(&header(&[fmt("RD", "1"), fmt("AD", "1")].concat())).unwrap();
        assert_eq!(f.sources(), [Source::RdAd]);
        let o = read(&f, &["G"], &[("RD", &[12]), ("AD", &[2])]).unwrap();
        assert_eq!(counts(o), (vec![12, 2], Source::RdAd));
        let e = CountFields::from_header(&header(&fmt("AD", "1"))).unwrap_err();
        assert!(e.contains("Number=1") && e.contains("no FORMAT/RD"), "{e}");
        let e = CountFields::from_header(&header(&fmt("AD", "A"))).unwrap_err();
        assert!(e.contains("Number=A"), "{e}");
    }

    #[test]
    fn records_without_alt_read_the_ref_reads_only() {
        let f =
            CountFields::from_header(&header(&[fmt("RO", "1"), fmt("AO", "A")].concat())).unwrap();
        assert_eq!(
            counts(read(&f, &[], &[("RO", &[30])]).unwrap()),
            (vec![30], Source::RoAo)
        );
        let f =
            CountFields::from_header(&header(&[fmt("RD", "1"), fmt("AD", "1")].concat())).unwrap();
        let o = read(&f, &[], &[("RD", &[111]), ("AD", &[0])]).unwrap();
        assert_eq!(counts(o), (vec![111], Source::RdAd));
        let o = read(&f, &[], &[("RD", &[100]), ("AD", &[4])]).unwrap();
        assert!(
            matches!(o, Outcome::Unusable(m) if m.contains("4 reads of an allele the record does not name"))
        );
    }

    #[test]
    fn platypus_ref_is_nr_minus_nv_and_multi_alt_is_unusable() {
        let f =
            CountFields::from_header(&header(&[fmt("NR", "."), fmt("NV", ".")].concat())).unwrap();
        let o = read(&f, &["G"], &[("NR", &[43]), ("NV", &[17])]).unwrap();
        assert_eq!(counts(o), (vec![26, 17], Source::NrNv));
        let multi = read(&f, &["G", "T"], &[("NR", &[209, 209]), ("NV", &[208, 95])]).unwrap();
        assert!(matches!(multi, Outcome::Unusable(m) if m.contains("2 ALT alleles")));
        let e = read(&f, &["G"], &[("NR", &[3]), ("NV", &[5])]).unwrap_err();
        assert!(e.starts_with("NR/NV NV 5 is more than NR 3"), "{e}");
    }

    #[test]
    fn strelka_reads_tier_1_of_the_ref_and_alt_bases() {
        let h = header(&["AU", "CU", "GU", "TU"].map(|k| fmt(k, "2")).concat());
        let f = CountFields::from_header(&h).unwrap();
        let vals: [(&str, &[i64]); 4] = [
            ("AU", &[6, 6]),
            ("CU", &[0, 0]),
            ("GU", &[26, 30]),
            ("TU", &[1, 0]),
        ];
        let o = f
            .read("G", &["A"], &mut |k| {
                Ok(vals
                    .iter()
                    .find(|(key, _)| *key == k)
                    .map(|(_, v)| v.iter().map(|&x| Some(x)).collect()))
            })
            .unwrap();
        assert_eq!(
            o,
            Outcome::Counts {
                counts: vec![26, 6],
                source: Source::StrelkaSnv,
                bases: Some([6, 0, 26, 1])
            }
        );
        let h = header(&[fmt("TAR", "2"), fmt("TIR", "2")].concat());
        let f = CountFields::from_header(&h).unwrap();
        let o = read(&f, &["AT"], &[("TAR", &[24, 25]), ("TIR", &[12, 12])]).unwrap();
        assert_eq!(counts(o), (vec![24, 12], Source::StrelkaIndel));
    }

    #[test]
    fn partly_missing_and_wrong_lengths_are_errors() {
        let f =
            CountFields::from_header(&header(&[fmt("RO", "1"), fmt("AO", "A")].concat())).unwrap();
        let e = read(&f, &["G", "T"], &[("RO", &[9]), ("AO", &[4])]).unwrap_err();
        assert_eq!(
            e,
            "RO/AO has 1 AO values; expected 2 (record with 2 ALT alleles)"
        );
        let (fields, e) = f
            .read("A", &["G"], &mut |k| {
                Ok(Some(if k == "RO" {
                    vec![Some(3)]
                } else {
                    vec![Some(1), None]
                }))
            })
            .unwrap_err();
        assert_eq!(fields, "RO/AO");
        assert!(e.contains("'1,.' is not a list of read counts"), "{e}");
    }
}
