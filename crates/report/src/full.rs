//! The full course report: the standard report plus the analysis panels
//! (CAR-T toxicity bands, chimerism stacked areas per lineage, marrow
//! blasts/MRD, acute GVHD band) and sections (alerts, endpoint table, DLI
//! decision trail), and the data behind the figure as JSON.

use graftwatch_core::{Date, Fraction, Lineage};
use graftwatch_course::{AnchorKind, Course};
use serde::Serialize;

use crate::alerts::AlertConfig;
use crate::alerts_section::alerts_section;
use crate::analysis::{Analysis, GradedDay, PercentPoint};
use crate::dli_trail::dli_section;
use crate::endpoints::{ENDPOINTS_SECTION_ID, endpoints_section};
use crate::figure::Figure;
use crate::panels::{
    BandPanel, ChimerismPanel, CountsPanel, EventsPanel, HemoglobinPanel, InterventionsPanel,
    MarrowPanel, RecipientChimerismPanel, TransfusionsPanel, agvhd_panel, cart_toxicity_panel,
    course_events, person_styles,
};
use crate::report::{FIGURE_SECTION_ID, Report, figure_section_with_caption};

/// The early ICAHT episode for the band: (first day, last day, grade,
/// description), from the engine's `icaht_early` item (its longest
/// ANC ≤ 0.5 span, in days after CAR-T day 0).
pub fn icaht_episode(course: &Course, a: &Analysis) -> Option<(Date, Date, u8, String)> {
    let item = a.grades.get(graftwatch_grading::SummaryKey::IcahtEarly)?;
    let v = item.value.as_ref()?;
    let grade: u8 = v
        .get("grade")?
        .as_str()?
        .trim_start_matches("grade")
        .parse()
        .ok()?;
    let span = v.get("le_0_5")?.get("longest_span")?.as_array()?;
    let (s, e) = (span.first()?.as_i64()?, span.get(1)?.as_i64()?);
    let cart = course
        .anchors()
        .into_iter()
        .find(|x| matches!(x.kind, AnchorKind::CarT(_)))?
        .date;
    Some((
        cart.add_days(s as i32),
        cart.add_days(e as i32),
        grade,
        item.result.clone(),
    ))
}

/// The day after HCT up to which the full figure keeps full scale: 15 days
/// after the later of the last DLI and the last day with acute GVHD grade
/// ≥ I, rounded up to 10 days, when that is beyond the standard
/// [`crate::figure::BREAK_DAY`]; `None` otherwise.
pub fn late_break_day(a: &Analysis) -> Option<i32> {
    let d0 = a.hct_day0?;
    let last = a
        .agvhd
        .iter()
        .filter(|g| g.level > 0)
        .map(|g| g.date)
        .chain(a.dli_dates.iter().copied())
        .max()?;
    let day = last.days_since(d0).get() + 15;
    let day = (day + 9).div_euclid(10) * 10;
    (day > crate::figure::BREAK_DAY).then_some(day)
}

/// The full figure: counts, transfusions, haemoglobin, CAR-T toxicity
/// bands, one chimerism panel per measured lineage, marrow blasts/MRD,
/// acute GVHD band, interventions.
pub fn full_figure(course: &Course, a: &Analysis) -> Figure {
    let mut f = Figure::new("Course: counts, CAR-T toxicity, chimerism, disease, GVHD and therapy");
    if let Some(b) = late_break_day(a) {
        f.break_day = b;
        f.break_share = Fraction::lit(0.78);
    }
    let window_start =
        crate::figure::Frame::for_course(course, f.width).map(|fr| fr.origin.add_days(fr.x.start));
    f.add_panel(Box::new(EventsPanel {
        events: course_events(&a.grades, window_start),
    }));
    f.add_panel(Box::new(CountsPanel));
    f.add_panel(Box::new(TransfusionsPanel));
    f.add_panel(Box::new(HemoglobinPanel));
    f.add_panel(Box::new(cart_toxicity_panel(
        &a.crs,
        &a.icans,
        icaht_episode(course, a),
    )));
    let persons = person_styles(course, &a.chimerism);
    let lineages = a.chimerism_lineages();
    f.add_panel(Box::new(RecipientChimerismPanel {
        samples: a.chimerism.clone(),
        lineages: lineages.clone(),
        lod_percent: a.alert_config.chimerism_lod_percent,
        dli_threshold_percent: a.dli_config.mixed_recipient_above_percent,
    }));
    for (i, l) in lineages.iter().enumerate() {
        f.add_panel(Box::new(ChimerismPanel::new(
            *l,
            &a.chimerism,
            persons.clone(),
            i == 0,
        )));
    }
    if lineages.is_empty() {
        f.add_panel(Box::new(ChimerismPanel::new(
            Lineage::WholeBlood,
            &[],
            persons,
            false,
        )));
    }
    f.add_panel(Box::new(MarrowPanel {
        blasts: a.marrow_blasts.clone(),
        mrd: a.mrd_flow.clone(),
    }));
    let gv: BandPanel = agvhd_panel(&a.agvhd, &a.grades.agvhd_organ_stages);
    f.add_panel(Box::new(gv));
    f.add_panel(Box::new(InterventionsPanel));
    f
}

/// How to read the full figure.
pub fn full_caption(break_day: i32) -> String {
    format!(
        "Days are counted from the transplant (HCT day 0, the first graft infusion); the calendar axis is below; after day +{break_day} the axis is compressed (factor on the axis). \
Dashed vertical lines mark CAR-T day 0, HCT day 0 and each DLI. Course events (engraftment, response, loss of MRD negativity, relapse, graft failure) are the grading engine's. \
ANC (black circles) and platelets (purple squares) share a log axis in ×10⁹/L with the engraftment thresholds (ANC 0.5; platelets 20 and 50); values below 0.01 are drawn hollow on the floor. Transfusions are ticks. \
CRS and ICANS (ASTCT) are daily grade cells; early ICAHT is the longest ANC ≤ 0.5 episode after CAR-T. \
Recipient chimerism (vermillion; one marker shape and dash per lineage) is on a log axis from 0.1 to 100 %: the dotted line is the assay's limit of detection (open markers on it: not detected), the dashed line the DLI trigger of the decision rule. Below it, the share of each graft (cord unit, PBSC donor) and of the recipient per lineage, stacked to 100 %. \
Marrow blasts (circles) and flow MRD (diamonds) share a log % axis with the 5 % blast and 0.1 % MRD lines; an MRD of 0 is drawn hollow on the floor. \
The acute GVHD band shows the MAGIC grade and organ stages per graded day, darker = higher. \
Bars run from the first to the last day of a therapy; an arrow means no stop date; ×n labels n courses of the same drug."
    )
}

/// The abbreviations used in the full figure, for its caption block: the
/// glossary's terms (`graftwatch_core::glossary`, the one list the `grade`
/// table's legend also reads) up to the CD markers.
pub fn abbreviations() -> String {
    graftwatch_core::glossary::caption("CD3+/CD33+/CD34+/CD56+")
}

/// The full figure with the caption block (how to read it, the
/// abbreviations), for export alone as SVG, PNG or PDF.
pub fn full_figure_with_caption(course: &Course, a: &Analysis) -> Figure {
    let mut f = full_figure(course, a);
    f.caption_block = vec![full_caption(f.break_day), abbreviations()];
    f
}

/// The full report: summary, alerts, figure, endpoint table, DLI decision
/// trail, timeline.
pub fn full_report(course: &Course, a: &Analysis) -> Report {
    full_report_styled(course, a, true)
}

/// The full report; `inline_style` false builds the figure without its own
/// `<style>` element (for a page that links the stylesheet).
pub(crate) fn full_report_styled(course: &Course, a: &Analysis, inline_style: bool) -> Report {
    let mut fig = full_figure(course, a);
    fig.inline_style = inline_style;
    let mut r = Report::with_figure(course, &fig);
    r.replace_section(figure_section_with_caption(
        course,
        &fig,
        &full_caption(fig.break_day),
    ));
    r.insert_section_after(FIGURE_SECTION_ID, endpoints_section(a));
    r.insert_section_after(ENDPOINTS_SECTION_ID, dli_section(a));
    r.insert_section_after(
        "summary",
        alerts_section(&a.alerts, &a.alert_config, &a.therapies),
    );
    r
}

/// Analysis with the default alert thresholds and the full report, as HTML.
pub fn render_full_report_html(course: &Course) -> String {
    let a = Analysis::for_course(course, &AlertConfig::default());
    full_report(course, &a).to_html()
}

/// A dated value of a raw series.
#[derive(Debug, Clone, Serialize)]
pub struct DatedValue {
    /// Date.
    pub date: Date,
    /// Value in the canonical unit.
    pub value: f64,
}

/// One anchor line of the figure.
#[derive(Debug, Clone, Serialize)]
pub struct AnchorData {
    /// Label (`CAR-T`, `HCT`, `DLI 1`).
    pub label: String,
    /// Date.
    pub date: Date,
}

/// The data behind the figure (`graftwatch report --format json`).
#[derive(Debug, Clone, Serialize)]
pub struct FigureData<'a> {
    /// Schema id.
    pub schema: &'static str,
    /// Patient pseudonym.
    pub patient: &'a str,
    /// Day 0 anchors.
    pub anchors: Vec<AnchorData>,
    /// ANC ×10⁹/L.
    pub anc: Vec<DatedValue>,
    /// Platelets ×10⁹/L.
    pub platelets: Vec<DatedValue>,
    /// Haemoglobin g/dL.
    pub hemoglobin: Vec<DatedValue>,
    /// Chimerism samples (per lineage, per person).
    pub chimerism: &'a [graftwatch_grading::extract::chimerism::ChimerismSample],
    /// Daily CRS grades.
    pub crs: &'a [GradedDay],
    /// Daily ICANS grades.
    pub icans: &'a [GradedDay],
    /// Early ICAHT episode.
    pub icaht_early: Option<IcahtBand>,
    /// Daily MAGIC aGVHD grades.
    pub agvhd: &'a [GradedDay],
    /// MAGIC organ stages of each aGVHD timeline day (from the engine).
    pub agvhd_organ_stages: &'a [graftwatch_grading::output::AgvhdOrganDay],
    /// Marrow blasts %.
    pub marrow_blasts: &'a [PercentPoint],
    /// Flow MRD %.
    pub mrd_flow: &'a [PercentPoint],
    /// Alerts.
    pub alerts: &'a [crate::alerts::Alert],
    /// DLI assessments at each DLI date.
    pub dli_assessments: &'a [graftwatch_criteria::dli::DliAssessment],
    /// Graft checks.
    pub graft_checks: &'a [graftwatch_decision::GraftReport],
}

/// The early ICAHT band.
#[derive(Debug, Clone, Serialize)]
pub struct IcahtBand {
    /// First day of the episode.
    pub from: Date,
    /// Last day.
    pub to: Date,
    /// Grade 1–4.
    pub grade: u8,
    /// The engine's result text.
    pub result: String,
}

/// The data behind the figure.
pub fn figure_data<'a>(course: &'a Course, a: &'a Analysis) -> FigureData<'a> {
    use graftwatch_core::Analyte;
    let s = |an: Analyte| -> Vec<DatedValue> {
        course
            .lab_series(an)
            .into_iter()
            .map(|(date, value)| DatedValue { date, value })
            .collect()
    };
    FigureData {
        schema: "graftwatch-figure/1",
        patient: &course.patient.id.0,
        anchors: course
            .anchors()
            .into_iter()
            .map(|x| AnchorData {
                label: x.kind.to_string(),
                date: x.date,
            })
            .collect(),
        anc: s(Analyte::Anc),
        platelets: s(Analyte::Platelets),
        hemoglobin: s(Analyte::Hemoglobin),
        chimerism: &a.chimerism,
        crs: &a.crs,
        icans: &a.icans,
        icaht_early: icaht_episode(course, a).map(|(from, to, grade, result)| IcahtBand {
            from,
            to,
            grade,
            result,
        }),
        agvhd: &a.agvhd,
        agvhd_organ_stages: &a.grades.agvhd_organ_stages,
        marrow_blasts: &a.marrow_blasts,
        mrd_flow: &a.mrd_flow,
        alerts: &a.alerts,
        dli_assessments: &a.dli_assessments,
        graft_checks: &a.graft_checks,
    }
}

/// The data behind the figure as pretty JSON.
pub fn figure_data_json(course: &Course, a: &Analysis) -> String {
    serde_json::to_string_pretty(&figure_data(course, a))
        .unwrap_or_else(|e| format!("{{\"error\":\"serialising the figure data: {e}\"}}"))
}
