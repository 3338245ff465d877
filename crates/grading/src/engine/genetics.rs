//! Maps the course's diagnosis genetics (karyotype abnormalities with ISCN
//! text, gene mutations with variant text) to the criteria's ELN 2022 /
//! refined-DRI types. Anything not recognised is kept as "other" and named
//! in a flag (`GW-GENETICS`).

use graftwatch_course::{AbnormalityKind as CKind, Diagnosis};
use graftwatch_criteria::Flag;
use graftwatch_criteria::eln_risk::{
    Abnormality, AbnormalityKind, Chromosome, DiagnosticGenetics, Gene, Karyotype, Mutation,
    RecurrentLesion,
};

fn chromosome(s: Option<&str>) -> Option<Chromosome> {
    let t = s?.trim().to_ascii_uppercase();
    match t.as_str() {
        "X" => Some(Chromosome::X),
        "Y" => Some(Chromosome::Y),
        n => n
            .parse::<u8>()
            .ok()
            .filter(|n| (1..=22).contains(n))
            .map(Chromosome::Autosome),
    }
}

/// The named recurrent lesion an ISCN abnormality is, if any.
pub fn lesion(kind: CKind, iscn: &str, chrom: Option<&str>) -> Option<RecurrentLesion> {
    let t: String = iscn
        .to_ascii_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let c = chrom.map(|c| c.trim().to_ascii_lowercase());
    let has = |p: &str| t.contains(p);
    Some(match kind {
        CKind::Translocation if has("t(8;21)") => RecurrentLesion::T8_21,
        CKind::Translocation if has("t(16;16)") => RecurrentLesion::Inv16,
        CKind::Translocation if has("t(15;17)") => RecurrentLesion::T15_17,
        CKind::Translocation if has("t(9;11)") => RecurrentLesion::T9_11,
        CKind::Translocation if has("t(6;9)") => RecurrentLesion::T6_9,
        CKind::Translocation if has("t(9;22)") => RecurrentLesion::T9_22,
        CKind::Translocation if has("t(8;16)") => RecurrentLesion::T8_16,
        CKind::Translocation if has("t(3;3)") => RecurrentLesion::Inv3,
        CKind::Translocation if has("q23") && has("11") => RecurrentLesion::Kmt2aRearranged,
        CKind::Translocation if has("q26") && has("3") => RecurrentLesion::MecomRearranged,
        CKind::Inversion if has("inv(16)") => RecurrentLesion::Inv16,
        CKind::Inversion if has("inv(3)") => RecurrentLesion::Inv3,
        CKind::Monosomy if c.as_deref() == Some("5") || has("-5") => RecurrentLesion::Minus5OrDel5q,
        CKind::Monosomy if c.as_deref() == Some("7") || has("-7") => RecurrentLesion::Minus7,
        CKind::Monosomy if c.as_deref() == Some("17") || has("-17") => {
            RecurrentLesion::Minus17OrAbn17p
        }
        CKind::Deletion if has("del(5q") || has("del(5)(q") => RecurrentLesion::Minus5OrDel5q,
        CKind::Deletion | CKind::OtherStructural if has("17)(p") || has("17p") => {
            RecurrentLesion::Minus17OrAbn17p
        }
        _ => return None,
    })
}

/// The gene (with the variant distinctions ELN 2022 makes).
pub fn gene(symbol: &str, variant: Option<&str>) -> Gene {
    let g = symbol.trim().to_ascii_uppercase();
    let v = variant.unwrap_or("").to_ascii_lowercase();
    match g.as_str() {
        "NPM1" => Gene::Npm1,
        "FLT3" if v.contains("itd") => Gene::Flt3Itd,
        "FLT3" if v.contains("tkd") || v.contains("d835") || v.contains("i836") => Gene::Flt3Tkd,
        "CEBPA"
            if v.contains("bzip") && v.contains("in-frame")
                || v.contains("bzip") && v.contains("inframe") =>
        {
            Gene::CebpaBzipInFrame
        }
        "CEBPA" => Gene::CebpaOther,
        "TP53" => Gene::Tp53,
        "ASXL1" => Gene::Asxl1,
        "BCOR" => Gene::Bcor,
        "EZH2" => Gene::Ezh2,
        "RUNX1" => Gene::Runx1,
        "SF3B1" => Gene::Sf3b1,
        "SRSF2" => Gene::Srsf2,
        "STAG2" => Gene::Stag2,
        "U2AF1" => Gene::U2af1,
        "ZRSR2" => Gene::Zrsr2,
        "KIT" => Gene::Kit,
        "KMT2A" if v.contains("ptd") => Gene::Kmt2aPtd,
        other => Gene::Other(other.to_string()),
    }
}

/// Maps a diagnosis; returns the genetics and flags for anything ambiguous.
pub fn to_genetics(d: &Diagnosis) -> (DiagnosticGenetics, Vec<Flag>) {
    let mut notes = Vec::new();
    let karyotype = d.karyotype.as_ref().map(|k| Karyotype {
        abnormalities: k
            .abnormalities
            .iter()
            .map(|a| {
                let ch = chromosome(a.chromosome.as_deref());
                let kind = match a.kind {
                    CKind::Translocation => AbnormalityKind::Translocation,
                    CKind::Inversion => AbnormalityKind::Inversion,
                    CKind::Deletion => AbnormalityKind::Deletion,
                    CKind::OtherStructural => AbnormalityKind::OtherStructural,
                    CKind::Monosomy | CKind::Trisomy if ch.is_none() => {
                        notes.push(format!(
                            "{} has no chromosome number: counted as a structural abnormality",
                            a.iscn
                        ));
                        AbnormalityKind::OtherStructural
                    }
                    CKind::Monosomy => AbnormalityKind::Monosomy(ch.unwrap_or(Chromosome::X)),
                    CKind::Trisomy => AbnormalityKind::Trisomy(ch.unwrap_or(Chromosome::X)),
                };
                Abnormality {
                    kind,
                    lesion: lesion(a.kind, &a.iscn, a.chromosome.as_deref()),
                    iscn: Some(a.iscn.clone()),
                }
            })
            .collect(),
    });
    let mutations: Vec<Mutation> = d
        .mutations
        .iter()
        .map(|m| {
            let g = gene(&m.gene, m.variant.as_deref());
            if m.gene.trim().eq_ignore_ascii_case("FLT3") && matches!(g, Gene::Other(_)) {
                notes.push(format!(
                    "FLT3 variant '{}' is neither ITD nor TKD",
                    m.variant.clone().unwrap_or_default()
                ));
            }
            Mutation {
                gene: g,
                vaf_percent: m.vaf_percent,
            }
        })
        .collect();
    let mut flags = vec![Flag::new(
        "GW-GENETICS",
        "course genetics mapped to ELN 2022 types: recurrent lesions recognised from the ISCN text, genes by HGNC symbol (FLT3 ITD/TKD, CEBPA bZIP in-frame, KMT2A-PTD from the variant text); other genes kept as 'other'",
    )];
    if !notes.is_empty() {
        flags.push(Flag::new("GW-GENETICS-NOTE", notes.join("; ")));
    }
    (
        DiagnosticGenetics {
            date: Some(d.date),
            karyotype,
            mutations: Some(mutations),
        },
        flags,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_recurrent_lesions_from_iscn() {
        // (kind, ISCN, chromosome) -> lesion
        for (kind, iscn, chromosome, expected) in [
            (
                CKind::Translocation,
                "t(8;21)(q22;q22.1)",
                "8;21",
                Some(RecurrentLesion::T8_21),
            ),
            (
                CKind::Inversion,
                "inv(16)(p13.1q22)",
                "16",
                Some(RecurrentLesion::Inv16),
            ),
            (CKind::Monosomy, "-7", "7", Some(RecurrentLesion::Minus7)),
            (
                CKind::Deletion,
                "del(5)(q13q33)",
                "5",
                Some(RecurrentLesion::Minus5OrDel5q),
            ),
            (
                CKind::Translocation,
                "t(9;11)(p21.3;q23.3)",
                "9;11",
                Some(RecurrentLesion::T9_11),
            ),
            (
                CKind::Translocation,
                "t(6;11)(q27;q23.3)",
                "6;11",
                Some(RecurrentLesion::Kmt2aRearranged),
            ),
            (CKind::Trisomy, "+8", "8", None),
        ] {
            assert_eq!(lesion(kind, iscn, Some(chromosome)), expected, "{iscn}");
        }
    }

    #[test]
    fn genes_keep_the_eln_variant_distinctions() {
        assert_eq!(gene("FLT3", Some("ITD")), Gene::Flt3Itd);
        assert_eq!(gene("flt3", Some("TKD D835Y")), Gene::Flt3Tkd);
        assert_eq!(gene("CEBPA", Some("bZIP in-frame")), Gene::CebpaBzipInFrame);
        assert_eq!(
            gene("CEBPA", Some("N-terminal frameshift")),
            Gene::CebpaOther
        );
        assert_eq!(gene("KMT2A", Some("PTD")), Gene::Kmt2aPtd);
        assert_eq!(gene("DNMT3A", Some("R882H")), Gene::Other("DNMT3A".into()));
    }
}
