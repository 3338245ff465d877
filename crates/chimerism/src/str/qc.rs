//! QC flags raised while calling reference genotypes and estimating a sample.

use std::fmt;

use serde::{Serialize, Serializer};

/// What a flag is about. Serialised as its short code (`STR-STUTTER`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StrFlagCode {
    /// An off-ladder (`OL`) peak was kept.
    OffLadder,
    /// A reference locus shows three or more alleles.
    TriAllelic,
    /// A reference heterozygote's balance (smaller / larger peak) is below the configured minimum.
    HeterozygoteImbalance,
    /// A reference peak between `reference_minor_floor` and the relative
    /// threshold that is no stutter: called as the minor allele of a
    /// heterozygote, or the locus is left uncalled.
    ReferenceImbalance,
    /// A sample of a run sheet (or one of several samples) whose signal
    /// matches none of the declared people: refused, the other samples are
    /// reported (wrong tube or wrong references).
    SampleMatchesNoReference,
    /// A person has fewer informative loci than the configured minimum (default 3).
    FewInformativeLoci,
    /// A sample peak belongs to no declared person (possible third person, contamination or artefact).
    UnexplainedAllele,
    /// Two donors differ at fewer loci than the minimum: their split is not identifiable.
    DonorsIndistinguishable,
    /// A person's unique allele lies one repeat below another person's allele (back-stutter position).
    StutterPosition,
    /// A locus was excluded as an outlier.
    OutlierLocus,
    /// A locus is missing from the sample or from a reference.
    MissingLocus,
    /// A marker not in the known-loci table was ignored (reader option).
    UnknownMarkerIgnored,
    /// A peak at or above the saturation limit; its locus is left out.
    Saturated,
    /// A pull-up peak (bleed-through of a much larger peak in another dye) was removed.
    PullUp,
    /// Low template: little signal, missing loci or poor heterozygote balance.
    LowTemplate,
    /// Two declared people have identical genotypes at every common locus.
    IdenticalPersons,
    /// Detection call and estimate disagreed; the documented rule decided.
    CallRule,
    /// Stutter ratios at a locus come from the kit, not from the references.
    StutterFromKit,
    /// A sorted lineage's purity is below the configured floor.
    LowPurity,
    /// An off-ladder peak called as an allele from the kit's bins.
    Binned,
    /// Several loci carry peaks no declared person explains: a person may
    /// be missing from the call (shown with the sample's table).
    UndeclaredPerson,
}

impl StrFlagCode {
    /// The short code.
    pub fn code(self) -> &'static str {
        match self {
            StrFlagCode::OffLadder => "STR-OL",
            StrFlagCode::TriAllelic => "STR-TRIALLELIC",
            StrFlagCode::HeterozygoteImbalance => "STR-HB",
            StrFlagCode::ReferenceImbalance => "STR-REF-IMBALANCE",
            StrFlagCode::SampleMatchesNoReference => "STR-NO-MATCH",
            StrFlagCode::FewInformativeLoci => "STR-FEW-LOCI",
            StrFlagCode::UnexplainedAllele => "STR-UNEXPLAINED",
            StrFlagCode::DonorsIndistinguishable => "STR-DONORS-ALIKE",
            StrFlagCode::StutterPosition => "STR-STUTTER",
            StrFlagCode::OutlierLocus => "STR-OUTLIER",
            StrFlagCode::MissingLocus => "STR-MISSING-LOCUS",
            StrFlagCode::UnknownMarkerIgnored => "STR-UNKNOWN-MARKER",
            StrFlagCode::Saturated => "STR-SATURATED",
            StrFlagCode::PullUp => "STR-PULLUP",
            StrFlagCode::LowTemplate => "STR-LOW-TEMPLATE",
            StrFlagCode::IdenticalPersons => "STR-IDENTICAL",
            StrFlagCode::CallRule => "STR-CALL-RULE",
            StrFlagCode::StutterFromKit => "STR-STUTTER-KIT",
            StrFlagCode::LowPurity => "STR-LOW-PURITY",
            StrFlagCode::Binned => "STR-BINNED",
            StrFlagCode::UndeclaredPerson => "STR-UNDECLARED-PERSON",
        }
    }
}

impl fmt::Display for StrFlagCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for StrFlagCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

/// A QC flag: a code and what was found or decided, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StrFlag {
    /// The code.
    pub code: StrFlagCode,
    /// Details (person, locus, allele, values).
    pub text: String,
}

impl StrFlag {
    /// Builds a flag.
    pub fn new(code: StrFlagCode, text: impl Into<String>) -> StrFlag {
        StrFlag {
            code,
            text: text.into(),
        }
    }
}

impl fmt::Display for StrFlag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {}", self.code, self.text)
    }
}
