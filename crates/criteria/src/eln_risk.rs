//! ELN 2022 genetic risk at diagnosis (Döhner 2022, Table 5; \[S\]) from a
//! structured karyotype and a mutation list.
//!
//! The lesion list and footnotes were re-checked on 2026-11-25 against a
//! BMJ Best Practice reproduction of the ELN 2022 table (including "≥ 2
//! distinct monosomies (excluding loss of X or Y)").
//!
//! Evaluation order (first match wins):
//! 1. t(9;11)/MLLT3::KMT2A → intermediate (footnote §: takes precedence over
//!    rare concurrent adverse gene mutations; flagged when other adverse
//!    lesions are present).
//! 2. t(8;21) or inv(16)/t(16;16) → favorable (†: KIT/FLT3 do not change it;
//!    **: myelodysplasia-related mutations ignored). A TP53 mutation with VAF
//!    ≥ 10 % makes it adverse (flagged engine choice: footnote ** covers only
//!    the myelodysplasia-related genes).
//! 3. Adverse cytogenetics (including complex ≥ 3 and monosomal karyotype)
//!    → adverse, also with mutated NPM1 (‡).
//! 4. TP53 VAF ≥ 10 % → adverse.
//! 5. NPM1 without FLT3-ITD → favorable; with FLT3-ITD → intermediate.
//! 6. bZIP in-frame CEBPA → favorable.
//! 7. ASXL1, BCOR, EZH2, RUNX1, SF3B1, SRSF2, STAG2, U2AF1, ZRSR2 → adverse.
//! 8. Otherwise intermediate (including FLT3-ITD with wild-type NPM1).
//!
//! Complex karyotype (¶): ≥ 3 unrelated abnormalities, absent other
//! class-defining recurring lesions, excluding hyperdiploid karyotypes with
//! ≥ 3 trisomies and no structural abnormality. Monosomal (#): ≥ 2 autosomal
//! monosomies, or 1 autosomal monosomy plus ≥ 1 structural abnormality
//! (core-binding-factor AML excluded).

use graftwatch_core::{Date, Unit};
use serde::{Deserialize, Serialize};

use crate::eln_response::ELN_2022_CITATION;
use crate::explain::{Evidence, Explanation, Flag, Graded};
use crate::series::{ValueError, check_non_negative};

/// Rule version.
pub const ELN_RISK_VERSION: &str = "ELN 2022 genetic risk (complex >= 3, M-8)";

/// A chromosome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Chromosome {
    /// Autosome 1–22.
    Autosome(u8),
    /// X.
    X,
    /// Y.
    Y,
}

/// Kind of a cytogenetic abnormality.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "chromosome", rename_all = "snake_case")]
pub enum AbnormalityKind {
    /// Balanced or unbalanced translocation.
    Translocation,
    /// Inversion.
    Inversion,
    /// Loss of a whole chromosome.
    Monosomy(Chromosome),
    /// Gain of a whole chromosome (trisomy or polysomy).
    Trisomy(Chromosome),
    /// Deletion (e.g. del(5q)).
    Deletion,
    /// Any other structural abnormality (add, der, i, dup, mar, ...).
    OtherStructural,
}

impl AbnormalityKind {
    /// Structural (not a whole-chromosome gain or loss).
    pub fn is_structural(self) -> bool {
        !matches!(
            self,
            AbnormalityKind::Monosomy(_) | AbnormalityKind::Trisomy(_)
        )
    }
}

/// Named recurrent lesions used by ELN 2022 and the refined DRI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecurrentLesion {
    /// t(8;21)(q22;q22.1)/RUNX1::RUNX1T1.
    T8_21,
    /// inv(16)(p13.1q22) or t(16;16)(p13.1;q22)/CBFB::MYH11.
    Inv16,
    /// t(15;17)/PML::RARA (APL; DRI favorable, outside ELN risk table).
    T15_17,
    /// t(9;11)(p21.3;q23.3)/MLLT3::KMT2A.
    T9_11,
    /// t(6;9)(p23.3;q34.1)/DEK::NUP214.
    T6_9,
    /// t(v;11q23.3)/KMT2A rearranged (not t(9;11), not KMT2A-PTD).
    Kmt2aRearranged,
    /// t(9;22)(q34.1;q11.2)/BCR::ABL1.
    T9_22,
    /// t(8;16)(p11.2;p13.3)/KAT6A::CREBBP.
    T8_16,
    /// inv(3)(q21.3q26.2) or t(3;3)(q21.3;q26.2)/GATA2, MECOM.
    Inv3,
    /// t(3q26.2;v)/MECOM rearranged.
    MecomRearranged,
    /// −5 or del(5q).
    Minus5OrDel5q,
    /// −7.
    Minus7,
    /// −17 or abn(17p).
    Minus17OrAbn17p,
}

impl RecurrentLesion {
    /// The lesion in ISCN-style words, e.g. `t(8;21)`, `-5/del(5q)`.
    pub fn label(self) -> &'static str {
        use RecurrentLesion::*;
        match self {
            T8_21 => "t(8;21)",
            Inv16 => "inv(16)/t(16;16)",
            T15_17 => "t(15;17)",
            T9_11 => "t(9;11)",
            T6_9 => "t(6;9)",
            Kmt2aRearranged => "KMT2A rearrangement",
            T9_22 => "t(9;22)",
            T8_16 => "t(8;16)",
            Inv3 => "inv(3)/t(3;3)",
            MecomRearranged => "MECOM rearrangement",
            Minus5OrDel5q => "-5/del(5q)",
            Minus7 => "-7",
            Minus17OrAbn17p => "-17/abn(17p)",
        }
    }

    /// Listed as adverse in ELN 2022.
    pub fn is_eln_adverse(self) -> bool {
        use RecurrentLesion::*;
        matches!(
            self,
            T6_9 | Kmt2aRearranged
                | T9_22
                | T8_16
                | Inv3
                | MecomRearranged
                | Minus5OrDel5q
                | Minus7
                | Minus17OrAbn17p
        )
    }
    /// Class-defining recurring rearrangement (excludes the "complex" count).
    pub fn is_class_defining(self) -> bool {
        use RecurrentLesion::*;
        matches!(
            self,
            T8_21
                | Inv16
                | T15_17
                | T9_11
                | T6_9
                | Kmt2aRearranged
                | T9_22
                | T8_16
                | Inv3
                | MecomRearranged
        )
    }
    /// Core-binding-factor AML.
    pub fn is_cbf(self) -> bool {
        matches!(self, RecurrentLesion::T8_21 | RecurrentLesion::Inv16)
    }
}

/// One abnormality of the karyotype.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Abnormality {
    /// Kind.
    #[serde(flatten)]
    pub kind: AbnormalityKind,
    /// Named lesion, if it is one.
    #[serde(default)]
    pub lesion: Option<RecurrentLesion>,
    /// ISCN text for display (e.g. `del(5)(q13q33)`).
    #[serde(default)]
    pub iscn: Option<String>,
}

/// A karyotype: the list of clonal abnormalities (empty = normal).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Karyotype {
    /// Abnormalities, each counted once.
    pub abnormalities: Vec<Abnormality>,
}

impl Karyotype {
    fn has(&self, l: RecurrentLesion) -> bool {
        self.abnormalities.iter().any(|a| a.lesion == Some(l))
    }
    fn class_defining(&self) -> bool {
        self.abnormalities
            .iter()
            .any(|a| a.lesion.is_some_and(RecurrentLesion::is_class_defining))
    }
    /// Number of abnormalities counted for "complex".
    pub fn count(&self) -> usize {
        self.abnormalities.len()
    }
    /// Hyperdiploid with ≥ 3 trisomies and no structural abnormality.
    pub fn is_trisomy_only_hyperdiploid(&self) -> bool {
        let n_tri = self
            .abnormalities
            .iter()
            .filter(|a| matches!(a.kind, AbnormalityKind::Trisomy(_)))
            .count();
        n_tri >= 3
            && self
                .abnormalities
                .iter()
                .all(|a| matches!(a.kind, AbnormalityKind::Trisomy(_)))
    }
    /// Complex karyotype with a minimum count (ELN 3, refined DRI 4).
    pub fn is_complex(&self, min_abnormalities: usize) -> bool {
        self.count() >= min_abnormalities
            && !self.class_defining()
            && !self.is_trisomy_only_hyperdiploid()
    }
    /// Monosomal karyotype (ELN footnote #).
    pub fn is_monosomal(&self) -> bool {
        if self
            .abnormalities
            .iter()
            .any(|a| a.lesion.is_some_and(RecurrentLesion::is_cbf))
        {
            return false;
        }
        let mono = self
            .abnormalities
            .iter()
            .filter(|a| matches!(a.kind, AbnormalityKind::Monosomy(Chromosome::Autosome(_))))
            .count();
        let structural = self
            .abnormalities
            .iter()
            .filter(|a| a.kind.is_structural())
            .count();
        mono >= 2 || (mono == 1 && structural >= 1)
    }
}

/// Genes and mutation classes used by ELN 2022.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gene {
    /// NPM1 mutation.
    Npm1,
    /// FLT3 internal tandem duplication.
    Flt3Itd,
    /// FLT3 tyrosine-kinase-domain mutation.
    Flt3Tkd,
    /// CEBPA in-frame mutation of the bZIP domain.
    CebpaBzipInFrame,
    /// Other CEBPA mutation.
    CebpaOther,
    /// TP53.
    Tp53,
    /// ASXL1.
    Asxl1,
    /// BCOR.
    Bcor,
    /// EZH2.
    Ezh2,
    /// RUNX1.
    Runx1,
    /// SF3B1.
    Sf3b1,
    /// SRSF2.
    Srsf2,
    /// STAG2.
    Stag2,
    /// U2AF1.
    U2af1,
    /// ZRSR2.
    Zrsr2,
    /// KIT.
    Kit,
    /// KMT2A partial tandem duplication (not a rearrangement).
    Kmt2aPtd,
    /// Any other gene (not used by the classification).
    Other(String),
}

impl Gene {
    /// The gene (and variant class) as written clinically, e.g. `FLT3-ITD`.
    pub fn symbol(&self) -> String {
        use Gene::*;
        match self {
            Npm1 => "NPM1",
            Flt3Itd => "FLT3-ITD",
            Flt3Tkd => "FLT3-TKD",
            CebpaBzipInFrame => "CEBPA (bZIP in-frame)",
            CebpaOther => "CEBPA",
            Tp53 => "TP53",
            Asxl1 => "ASXL1",
            Bcor => "BCOR",
            Ezh2 => "EZH2",
            Runx1 => "RUNX1",
            Sf3b1 => "SF3B1",
            Srsf2 => "SRSF2",
            Stag2 => "STAG2",
            U2af1 => "U2AF1",
            Zrsr2 => "ZRSR2",
            Kit => "KIT",
            Kmt2aPtd => "KMT2A-PTD",
            Other(g) => return g.to_ascii_uppercase(),
        }
        .to_string()
    }

    /// Myelodysplasia-related gene (footnote **).
    pub fn is_mr_gene(&self) -> bool {
        use Gene::*;
        matches!(
            self,
            Asxl1 | Bcor | Ezh2 | Runx1 | Sf3b1 | Srsf2 | Stag2 | U2af1 | Zrsr2
        )
    }
}

/// One detected mutation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mutation {
    /// Gene / class.
    pub gene: Gene,
    /// Variant allele frequency in % (needed for TP53).
    /// A recorded input, kept as the number entered and checked by this
    /// criterion with an error naming the field, value and range (docs/quantities.md).
    #[serde(default)]
    pub vaf_percent: Option<f64>,
}

/// Genetics at diagnosis. `None` means not done; an empty list means done
/// and normal / no mutation found.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct DiagnosticGenetics {
    /// Date of the diagnostic sample.
    pub date: Option<Date>,
    /// Karyotype (None = failed / not done).
    pub karyotype: Option<Karyotype>,
    /// Mutations from a panel covering at least NPM1, FLT3-ITD, CEBPA, TP53
    /// and the myelodysplasia-related genes (None = not done).
    pub mutations: Option<Vec<Mutation>>,
}

/// ELN 2022 genetic risk category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ElnRisk {
    /// Favorable.
    Favorable,
    /// Intermediate.
    Intermediate,
    /// Adverse.
    Adverse,
}

impl ElnRisk {
    /// The category in words.
    pub fn label(self) -> &'static str {
        match self {
            ElnRisk::Favorable => "favorable",
            ElnRisk::Intermediate => "intermediate",
            ElnRisk::Adverse => "adverse",
        }
    }
}

fn adverse_cytogenetics(k: &Karyotype) -> Option<String> {
    if let Some(a) = k
        .abnormalities
        .iter()
        .find(|a| a.lesion.is_some_and(RecurrentLesion::is_eln_adverse))
    {
        return Some(format!(
            "adverse lesion {}",
            a.lesion.unwrap_or(RecurrentLesion::Minus7).label()
        ));
    }
    if k.is_complex(3) {
        return Some(format!(
            "complex karyotype ({} abnormalities, ≥ 3)",
            k.count()
        ));
    }
    if k.is_monosomal() {
        return Some("monosomal karyotype".into());
    }
    None
}

/// Rejects a VAF that is not a percentage.
fn check_vafs(g: &DiagnosticGenetics) -> Result<(), ValueError> {
    for v in g.mutations.iter().flatten().filter_map(|m| m.vaf_percent) {
        let v = check_non_negative("vaf", g.date, v, "a VAF 0-100 %")?;
        if v > 100.0 {
            return Err(ValueError::OutOfRange {
                what: "vaf",
                date: g.date,
                value: v,
                expected: "a VAF 0-100 %",
            });
        }
    }
    Ok(())
}

/// The karyotype and every mutation, as evidence.
fn genetics_evidence(g: &DiagnosticGenetics) -> Vec<Evidence> {
    let mut out = Vec::new();
    if let Some(k) = &g.karyotype {
        let text = if k.abnormalities.is_empty() {
            "normal karyotype".to_string()
        } else {
            k.abnormalities
                .iter()
                .map(|a| {
                    a.iscn.clone().unwrap_or_else(|| match a.lesion {
                        Some(l) => l.label().to_string(),
                        None if a.kind.is_structural() => "structural abnormality".into(),
                        None => "numerical abnormality".into(),
                    })
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        out.push(Evidence::finding(g.date, "karyotype", text));
    }
    for m in g.mutations.iter().flatten() {
        let what = format!("mutation {}", m.gene.symbol());
        out.push(match m.vaf_percent {
            Some(v) => Evidence::value(g.date, what, v, Some(Unit::Percent), "VAF"),
            None => Evidence::finding(g.date, what, "detected"),
        });
    }
    out
}

/// The molecular facts the rules use.
struct Molecular<'a> {
    muts: &'a [Mutation],
    /// Highest TP53 VAF when ≥ 10 %.
    tp53_adverse: Option<f64>,
    tp53_any: bool,
    tp53_unknown_vaf: bool,
    /// Myelodysplasia-related mutations.
    mr: Vec<&'a Mutation>,
}

impl<'a> Molecular<'a> {
    fn new(g: &'a DiagnosticGenetics) -> Molecular<'a> {
        let muts: &[Mutation] = g.mutations.as_deref().unwrap_or(&[]);
        let tp53: Vec<&Mutation> = muts.iter().filter(|m| m.gene == Gene::Tp53).collect();
        Molecular {
            muts,
            tp53_adverse: tp53
                .iter()
                .filter_map(|m| m.vaf_percent)
                .reduce(f64::max)
                .filter(|v| *v >= 10.0),
            tp53_any: !tp53.is_empty(),
            tp53_unknown_vaf: tp53.iter().any(|m| m.vaf_percent.is_none()),
            mr: muts.iter().filter(|m| m.gene.is_mr_gene()).collect(),
        }
    }
    fn has(&self, gene: &Gene) -> bool {
        self.muts.iter().any(|m| &m.gene == gene)
    }
}

/// Steps 1–4: t(9;11), CBF, adverse cytogenetics, TP53 ≥ 10 %.
fn karyotype_rules(
    kar: Option<&Karyotype>,
    m: &Molecular,
    flags: &mut Vec<Flag>,
) -> Option<(ElnRisk, String)> {
    if let Some(k) = kar.filter(|k| k.has(RecurrentLesion::T9_11)) {
        if m.tp53_adverse.is_some() || !m.mr.is_empty() || adverse_cytogenetics(k).is_some() {
            flags.push(Flag::new(
                "ELN-§",
                "t(9;11) takes precedence over concurrent adverse-risk lesions (footnote §, [R])",
            ));
        }
        return Some((
            ElnRisk::Intermediate,
            "t(9;11)(p21.3;q23.3)/MLLT3::KMT2A".into(),
        ));
    }
    if let Some(_k) = kar.filter(|k| k.has(RecurrentLesion::T8_21) || k.has(RecurrentLesion::Inv16))
    {
        if m.tp53_adverse.is_some() {
            flags.push(Flag::new("ELN-TP53-fav", "TP53 VAF ≥ 10% with a favorable subtype: graded adverse (footnote ** exempts only myelodysplasia-related genes)"));
            return Some((ElnRisk::Adverse, "TP53 mutation with VAF ≥ 10%".into()));
        }
        if !m.mr.is_empty() {
            flags.push(Flag::new(
                "ELN-**",
                "myelodysplasia-related mutations ignored with a favorable subtype",
            ));
        }
        let why = "core-binding-factor rearrangement (KIT/FLT3 do not change the category)";
        return Some((ElnRisk::Favorable, why.into()));
    }
    if let Some(why) = kar.and_then(adverse_cytogenetics) {
        if m.has(&Gene::Npm1) {
            flags.push(Flag::new(
                "ELN-‡",
                "NPM1-mutated AML with adverse-risk cytogenetics is adverse",
            ));
        }
        return Some((ElnRisk::Adverse, why));
    }
    m.tp53_adverse.map(|v| {
        (
            ElnRisk::Adverse,
            format!("TP53 mutation with VAF {v}% (≥ 10%)"),
        )
    })
}

/// Steps 5–7 and the default: NPM1, bZIP CEBPA, myelodysplasia-related genes.
fn molecular_rules(m: &Molecular, flags: &mut Vec<Flag>) -> (ElnRisk, String) {
    let mr_ignored = |flags: &mut Vec<Flag>, subtype: &str| {
        if !m.mr.is_empty() {
            flags.push(Flag::new(
                "ELN-**",
                format!(
                    "myelodysplasia-related mutations ignored with a favorable subtype ({subtype})"
                ),
            ));
        }
    };
    if m.has(&Gene::Npm1) {
        mr_ignored(flags, "mutated NPM1");
        return if m.has(&Gene::Flt3Itd) {
            (ElnRisk::Intermediate, "mutated NPM1 with FLT3-ITD".into())
        } else {
            (ElnRisk::Favorable, "mutated NPM1 without FLT3-ITD".into())
        };
    }
    if m.has(&Gene::CebpaBzipInFrame) {
        mr_ignored(flags, "bZIP CEBPA");
        return (ElnRisk::Favorable, "in-frame bZIP CEBPA mutation".into());
    }
    if let Some(g) = m.mr.first() {
        let why = format!("myelodysplasia-related mutation {}", g.gene.symbol());
        return (ElnRisk::Adverse, why);
    }
    let why = if m.has(&Gene::Flt3Itd) {
        "wild-type NPM1 with FLT3-ITD, no adverse lesion"
    } else {
        "no favorable or adverse lesion"
    };
    (ElnRisk::Intermediate, why.into())
}

/// What the molecular steps need that is not recorded.
fn molecular_missing(g: &DiagnosticGenetics, m: &Molecular) -> Vec<String> {
    let mut missing = Vec::new();
    if g.karyotype.is_none() {
        missing.push("karyotype (adverse cytogenetics would override NPM1/CEBPA)".to_string());
    }
    if g.mutations.is_none() {
        missing.push(
            "mutation panel (NPM1, FLT3-ITD, CEBPA bZIP, TP53, myelodysplasia-related genes)"
                .to_string(),
        );
    }
    if m.tp53_unknown_vaf {
        missing.push("TP53 variant allele frequency".to_string());
    }
    missing
}

fn graded(mut ex: Explanation, r: ElnRisk, why: String) -> Graded<ElnRisk> {
    ex.reason = format!("{why}: {}", r.label());
    Graded::Value {
        value: r,
        explanation: ex,
    }
}

/// ELN 2022 genetic risk.
pub fn eln_genetic_risk(g: &DiagnosticGenetics) -> Result<Graded<ElnRisk>, ValueError> {
    check_vafs(g)?;
    let mut ex = Explanation {
        rule: "ELN 2022 genetic risk at diagnosis",
        version: ELN_RISK_VERSION,
        citations: vec![ELN_2022_CITATION],
        reason: String::new(),
        evidence: genetics_evidence(g),
        flags: vec![Flag::new(
            "M-8",
            "complex karyotype counted as ≥ 3 abnormalities (ELN; the refined DRI uses ≥ 4)",
        )],
    };
    let m = Molecular::new(g);
    if let Some((r, why)) = karyotype_rules(g.karyotype.as_ref(), &m, &mut ex.flags) {
        return Ok(graded(ex, r, why));
    }
    // From here the result depends on molecular data and a non-adverse karyotype.
    let missing = molecular_missing(g, &m);
    if !missing.is_empty() {
        ex.reason = "no adverse lesion found in the data available; the category depends on what is missing".into();
        return Ok(Graded::InsufficientData {
            missing,
            explanation: ex,
        });
    }
    if m.tp53_any {
        ex.flags.push(Flag::new(
            "ELN-TP53",
            "TP53 mutation with VAF < 10% does not make the risk adverse",
        ));
    }
    let (r, why) = molecular_rules(&m, &mut ex.flags);
    Ok(graded(ex, r, why))
}
