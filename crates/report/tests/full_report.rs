//! The full report on the seed case: alerts, endpoint table, DLI decision
//! trail, analysis panels, figure data; and a course with nothing to
//! analyse still renders with the missing data named.

mod common;

use graftwatch_core::Lineage;
use graftwatch_report::alerts::AlertKind;
use graftwatch_report::{AlertConfig, Analysis, figure_data_json, full_figure, full_report};

fn seed_analysis() -> (graftwatch_course::Course, Analysis) {
    let course = common::seed().course;
    let a = Analysis::for_course(&course, &AlertConfig::default());
    (course, a)
}

#[test]
fn seed_alerts_match_the_story() {
    let (_, a) = seed_analysis();
    let kinds = |k: AlertKind| a.alerts.iter().filter(|x| x.kind == k).count();
    // engrafted on day +13: no engraftment warning at +21 or +28
    assert_eq!(kinds(AlertKind::NoNeutrophilEngraftment), 0);
    // MRD negative on 2024-06-28, 0.32 % on 2024-07-26
    let mrd: Vec<_> = a
        .alerts
        .iter()
        .filter(|x| x.kind == AlertKind::MrdConversion)
        .collect();
    assert_eq!(mrd.len(), 1);
    assert_eq!(mrd[0].date.to_string(), "2024-07-26");
    assert_eq!(mrd[0].day, Some(88));
    // CD3 recipient share 2 → 3 → 6 % before the first DLI
    assert!(a.alerts.iter().any(|x| x.kind == AlertKind::ChimerismTrend
        && x.reason.starts_with("T cells (CD3+)")
        && x.date <= "2024-07-30".parse().expect("date")));
    // GVHD rose to grade III on 2024-09-27
    assert!(a.alerts.iter().any(|x| x.kind == AlertKind::AgvhdIncrease
        && x.date.to_string() == "2024-09-27"
        && x.reason.contains("grade III")));
    // both DLIs were given without active GVHD
    assert_eq!(kinds(AlertKind::DliWithActiveGvhd), 0);
    // sorted by date
    assert!(a.alerts.windows(2).all(|w| w[0].date <= w[1].date));
}

#[test]
fn seed_dli_trail_and_graft_checks() {
    let (_, a) = seed_analysis();
    assert_eq!(a.dli_assessments.len(), 2);
    assert!(a.dli_errors.is_empty());
    let first = &a.dli_assessments[0];
    assert_eq!(first.on.to_string(), "2024-07-30");
    assert!(first.criteria_met);
    assert!(first.excluded_donors.iter().any(|(d, _)| d == "UCB-1"));
    assert!(first.plans.iter().any(|p| p.donor == "PBSC-1"));
    assert_eq!(a.graft_checks.len(), 1);
    assert!(
        a.graft_checks[0]
            .checks
            .iter()
            .any(|c| c.what.starts_with("UCB-1"))
    );
}

#[test]
fn seed_full_report_has_every_section_and_panel() {
    let (course, a) = seed_analysis();
    let ids: Vec<String> = full_report(&course, &a)
        .sections()
        .iter()
        .map(|s| s.id.clone())
        .collect();
    assert_eq!(
        ids,
        [
            "summary",
            "alerts",
            "figure",
            "endpoints",
            "dli-decision",
            "timeline"
        ]
    );
    let fig = full_figure(&course, &a);
    assert_eq!(
        fig.panel_ids(),
        [
            "events",
            "counts",
            "transfusions",
            "hemoglobin",
            "cart-toxicity",
            "chimerism-recipient",
            "chimerism-whole_blood",
            "chimerism-cd3",
            "chimerism-myeloid",
            "marrow",
            "agvhd",
            "interventions"
        ]
    );
    assert_eq!(
        a.chimerism_lineages(),
        [Lineage::WholeBlood, Lineage::Cd3, Lineage::Myeloid]
    );
    // the late GVHD keeps full scale: the break moves past day +100
    assert!(fig.break_day > 160, "break at {}", fig.break_day);
    let html = full_report(&course, &a).to_html();
    common::check_nesting(&html).expect("well nested");
    // every endpoint has its explanation one click away
    let rows = html.matches("<tr class=\"ep ").count();
    let details = html.matches("<details class=\"why\">").count();
    assert!(rows >= 20, "{rows} endpoint rows");
    assert!(details >= rows - a.grades.skipped.len());
    assert!(html.contains("[V]") && html.contains("[R]"));
    // aGVHD band: grade III cells and organ stages from the engine's
    // structured stages
    assert!(html.contains("class=\"cell g3\""));
    assert!(!a.grades.agvhd_organ_stages.is_empty());
    assert!(html.contains("id=\"series-agvhd-lower-gi\""));
    // Course events: engraftment from the engine, ELN responses labelled:
    // the pre-HCT "no response", then the
    // post-transplant assessments (the seed records blood blasts and EMD at
    // each marrow, so they are graded), including CR without MRD.
    let resp = common::element(&html, "id=\"series-eln-response\"", "g").expect("response group");
    assert!(resp.matches("<g class=\"response\"").count() >= 2, "{resp}");
    assert!(resp.contains("no response") && resp.contains("2024-02-26"));
    assert!(resp.contains("CR MRD−"), "{resp}");
    assert!(resp.contains("MRD-negativity lost"), "{resp}");
    assert!(
        resp.contains("ANC engraftment") && resp.contains("PLT ≥ 50"),
        "{resp}"
    );
}

#[test]
fn figure_data_is_json_with_the_series() {
    let (course, a) = seed_analysis();
    let v: serde_json::Value = serde_json::from_str(&figure_data_json(&course, &a)).unwrap();
    assert_eq!(v["schema"], "graftwatch-figure/1");
    assert_eq!(v["icaht_early"]["grade"], 4);
    assert!(
        v["agvhd"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["level"] == 3)
    );
    assert_eq!(v["anchors"].as_array().unwrap().len(), 4);
}

#[test]
fn a_course_without_analysis_data_names_what_is_missing() {
    let course = common::mini(
        r#"{"date": "2024-01-10", "kind": "graft_infusion", "source": "pbsc", "donor": "PBSC-1"}"#,
        r#"{"date": "2024-01-12", "kind": "anc", "value": 0.1, "unit": "10^9/L"}"#,
    );
    let a = Analysis::for_course(&course, &AlertConfig::default());
    assert!(a.alerts.is_empty(), "follow-up ends before day +21");
    let html = full_report(&course, &a).to_html();
    common::check_nesting(&html).expect("well nested");
    assert!(
        html.contains("No whole blood chimerism samples in the course")
            || html.contains("chimerism samples in the course")
    );
    assert!(html.contains("No alert was raised"));
    assert!(html.contains("No DLI in the course"));
}

#[test]
fn a_dli_during_grade_ii_gvhd_and_late_engraftment_raise_alerts() {
    // HCT day 0 = 2024-01-10; ANC recovers only from day +25; skin 60 % BSA
    // (stage 3 → grade II) on day +60 and +61; DLI on day +61.
    let mut obs = Vec::new();
    for d in 0..=70 {
        let anc = if d >= 25 { 1.2 } else { 0.05 };
        obs.push(format!(
            r#"{{"date": "{}", "kind": "anc", "value": {anc}, "unit": "10^9/L"}}"#,
            "2024-01-10"
                .parse::<graftwatch_core::Date>()
                .unwrap()
                .add_days(d)
        ));
    }
    for date in ["2024-03-10", "2024-03-11"] {
        obs.push(format!(
            r#"{{"date": "{date}", "kind": "skin_rash_bsa", "value": 60, "unit": "%", "attribution": "gvhd"}}"#
        ));
    }
    let course = common::mini(
        r#"{"date": "2024-01-10", "kind": "graft_infusion", "source": "pbsc", "donor": "PBSC-1", "cd34_per_kg": 5000000},
           {"date": "2024-03-11", "kind": "dli", "donor": "PBSC-1", "cd3_per_kg": 1000000, "intent": "therapeutic"}"#,
        &obs.join(","),
    );
    let a = Analysis::for_course(&course, &AlertConfig::default());
    let kinds: Vec<AlertKind> = a.alerts.iter().map(|x| x.kind).collect();
    // engraftment on day +25: the day +21 warning, not the day +28 one
    let eng: Vec<_> = a
        .alerts
        .iter()
        .filter(|x| x.kind == AlertKind::NoNeutrophilEngraftment)
        .collect();
    assert_eq!(eng.len(), 1, "{kinds:?}");
    assert_eq!(eng[0].day, Some(21));
    assert!(eng[0].reason.contains("engrafted later, on day +25"));
    // grade II on the DLI day
    let dli: Vec<_> = a
        .alerts
        .iter()
        .filter(|x| x.kind == AlertKind::DliWithActiveGvhd)
        .collect();
    assert_eq!(dli.len(), 1, "{kinds:?}");
    assert!(dli[0].reason.contains("grade II"), "{}", dli[0].reason);
    // the DLI trail says the GVHD prerequisite is not met
    assert_eq!(a.dli_assessments.len(), 1);
    assert!(!a.dli_assessments[0].criteria_met);
    let html = full_report(&course, &a).to_html();
    assert!(html.contains("class=\"alert dli_with_active_gvhd\""));
    assert!(html.contains("class=\"alert no_neutrophil_engraftment\""));
}

/// The alerts follow the grading of neutrophil engraftment: ANC shown never
/// below 0.5 through day +28 (not applicable) raises no "no engraftment"
/// alert; one ANC of 1.1 on day +18 shows nothing about the nadir, so the
/// alerts stay (and say "recorded").
#[test]
fn engraftment_alerts_follow_the_graded_endpoint() {
    let anc = |days: &[i32]| {
        days.iter()
            .map(|&d| {
                format!(
                    r#"{{"date": "{}", "kind": "anc", "value": 1.1, "unit": "10^9/L"}}"#,
                    "2024-01-10"
                        .parse::<graftwatch_core::Date>()
                        .unwrap()
                        .add_days(d)
                )
            })
            .collect::<Vec<_>>()
            .join(",")
    };
    let hct = r#"{"date": "2024-01-10", "kind": "graft_infusion", "source": "pbsc", "donor": "PBSC-1", "cd34_per_kg": 5000000}"#;
    let alerts = |days: &[i32]| {
        let course = common::mini(hct, &anc(days));
        Analysis::for_course(&course, &AlertConfig::default())
            .alerts
            .into_iter()
            .filter(|x| x.kind == AlertKind::NoNeutrophilEngraftment)
            .collect::<Vec<_>>()
    };
    assert!(alerts(&[0, 7, 14, 21, 28, 35]).is_empty());
    let sparse = alerts(&[18, 44]);
    assert_eq!(sparse.len(), 2);
    assert!(
        sparse[0]
            .reason
            .contains("no neutrophil engraftment recorded")
    );
}

#[test]
fn a_car_t_only_course_renders_the_toxicity_band_without_transplant_sections() {
    let course = common::mini(
        r#"{"date": "2024-01-10", "kind": "car_t_infusion", "target": "CD19", "product": "axi-cel"}"#,
        r#"{"date": "2024-01-11", "kind": "temperature", "value": 39.0, "unit": "°C"},
           {"date": "2024-01-12", "kind": "anc", "value": 0.3, "unit": "10^9/L"}"#,
    );
    let a = Analysis::for_course(&course, &AlertConfig::default());
    assert!(a.hct_day0.is_none());
    assert!(a.graft_checks.is_empty());
    let html = full_report(&course, &a).to_html();
    common::check_nesting(&html).expect("well nested");
    assert!(html.contains("id=\"panel-cart-toxicity\""));
    // fever on CAR-T day +1: a CRS grade 1 cell
    assert!(a.crs.iter().any(|g| g.level == 1), "{:?}", a.crs);
    assert!(html.contains("class=\"cell g1\""));
    assert!(html.contains("No DLI in the course"));
}

/// 2024-09-11 is "not yet gradable" (skin, GI not staged): the band draws
/// it as not assessed, never MAGIC grade 0, and the grade I alert of
/// 2024-09-14 compares with the last graded day, 2024-08-30.
#[test]
fn a_not_gradable_day_is_not_grade_0_in_the_band_or_the_alert() {
    let (_, a) = seed_analysis();
    let day = |s: &str| {
        a.agvhd
            .iter()
            .find(|g| g.date.to_string() == s)
            .unwrap_or_else(|| panic!("no aGVHD entry on {s}"))
    };
    assert!(!day("2024-09-11").assessed);
    assert!(day("2024-08-30").assessed);
    let alert = a
        .alerts
        .iter()
        .find(|x| x.kind == AlertKind::AgvhdIncrease && x.date.to_string() == "2024-09-14")
        .expect("grade increase on 2024-09-14");
    assert_eq!(
        alert.reason,
        "acute GVHD grade I on 2024-09-14, up from grade 0 on 2024-08-30"
    );
    let panel = graftwatch_report::panels::agvhd_panel(&a.agvhd, &a.grades.agvhd_organ_stages);
    let cell = panel.rows[0]
        .cells
        .iter()
        .find(|c| c.from.to_string() == "2024-09-11")
        .expect("a cell on 2024-09-11");
    assert!(!cell.assessed, "{cell:?}");
    assert!(
        cell.title.starts_with("MAGIC grade not assessed"),
        "{}",
        cell.title
    );
    // A graded day stays a grade.
    let graded = panel.rows[0]
        .cells
        .iter()
        .find(|c| c.from.to_string() == "2024-08-30")
        .expect("a cell on 2024-08-30");
    assert!(graded.assessed && graded.level == 0, "{graded:?}");
    let course = common::seed().course;
    let svg = full_figure(&course, &a).render(&course);
    assert!(svg.contains(r#"class="cell unassessed""#));
}
