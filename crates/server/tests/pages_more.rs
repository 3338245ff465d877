//! The pages' later additions in-process: the ward dashboard paged from
//! its in-memory cache (one audit entry per page naming the patients
//! shown, changes by another process seen), the alert column limited to
//! active alerts, the CRS fields of the bedside form (hypotension,
//! vasopressors, fluid bolus, hypoxia, cause) and the preview in clinical
//! words, the STR kit choice of the lab form.

#![allow(clippy::result_large_err)]

mod common;

use axum::http::StatusCode;
use common::{
    TestApp, form_refs, ngs_file, page, post_form, post_multipart, sign_off_chimerism, sqlite_app,
    str_file,
};
use graftwatch_store::Role;

/// The text of a page without its tags (what the user reads).
fn visible(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

fn rows(html: &str) -> usize {
    html.matches("data-patient=\"").count()
}

fn add_patients(t: &TestApp, from: usize, n: usize) {
    let actor = common::store_common::clinician();
    for i in from..from + n {
        let (c, _) = common::store_common::seed_as(&format!("Q{i:03}"), 40);
        t.state.store.create_patient(&actor, &c, None).unwrap();
    }
}

#[test]
fn ward_pages_fifty_rows_audits_the_page_and_sees_other_writers() {
    let (_db, t) = sqlite_app();
    add_patients(&t, 0, 60);
    let s = t.login("doc");
    let r = page(&t, &s, "/ward?sort=patient&on=2024-06-01");
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(rows(&r.body), 50);
    assert!(
        r.body.contains("Patients 1–50 of 61 (page 1 of 2)"),
        "{}",
        r.body
    );
    assert!(r.body.contains("id=\"ward-next\""));
    // One audit entry for the page: the user and exactly the 50 shown.
    let audit = t.state.store.audit_for_patient("Q000").unwrap();
    let e = audit.iter().rfind(|e| e.action == "list_patients").unwrap();
    assert_eq!(e.actor, "doc");
    assert_eq!(e.patients.split(',').count(), 50);
    assert!(e.resource.contains("page 1"), "{}", e.resource);
    assert!(!e.patients.contains("Q059"), "not shown on page 1");
    let r = page(&t, &s, "/ward?sort=patient&on=2024-06-01&page=2");
    assert_eq!(rows(&r.body), 11);
    assert!(r.body.contains("data-patient=\"Q059\""));
    assert!(r.body.contains("id=\"ward-prev\"") && !r.body.contains("id=\"ward-next\""));
    let r = page(&t, &s, "/ward?page=0");
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("expected a page number from 1"));
    // Filtering counts only the matches.
    let r = page(&t, &s, "/ward?q=q05&on=2024-06-01");
    assert_eq!(rows(&r.body), 10);
    // A patient added by another process (straight into the store) shows
    // once the cache's rows are older than MAX_AGE (1 s): the request then
    // waits for the check (decision S-5).
    add_patients(&t, 60, 1);
    common::pause(1.1);
    let r = page(&t, &s, "/ward?sort=patient&on=2024-06-01&page=2");
    assert!(r.body.contains("of 62"), "{}", r.body);
    assert!(r.body.contains("data-patient=\"Q060\""));
    // A write through the server is seen at once (read your writes).
    let head = t.state.store.head("Q060").unwrap();
    let before = page(&t, &s, "/ward?q=Q060&on=2024-06-01");
    assert!(before.body.contains(&format!("rev {head}")));
    let tok = common::token_for(&t, "doc");
    let w = t.send(common::with_token(
        "POST",
        "/api/patients/Q060/observations",
        &tok,
        Some(&common::anc_body(head, "2024-05-30", 0.2)),
    ));
    assert_eq!(w.status, StatusCode::CREATED, "{}", w.body);
    let after = page(&t, &s, "/ward?q=Q060&on=2024-06-01");
    assert!(
        after.body.contains(&format!("rev {}", head + 1)),
        "{}",
        after.body
    );
    assert!(after.body.contains("0.2 (2024-05-30)"), "latest ANC shown");
}

#[test]
fn ward_alert_column_shows_only_alerts_active_on_the_day() {
    let (_db, t) = sqlite_app();
    let s = t.login("doc");
    let actor = common::store_common::actor("doc", Role::Clinician);
    let listed = t.state.store.list_patients(&actor, false).unwrap();
    let alerts = &listed[0].state.as_ref().unwrap().summary.alerts;
    assert!(!alerts.is_empty(), "the seed case has alerts");
    let date: graftwatch_core::Date = alerts[0].date.parse().unwrap();
    let cell = |html: &str| -> String {
        let row = &html[html.find("data-patient=\"P1\"").unwrap()..];
        row[..row.find("</tr>").unwrap()].to_string()
    };
    let on_day = page(&t, &s, &format!("/ward?on={date}"));
    assert!(cell(&on_day.body).contains(&format!("{}</span> {date}", alerts[0].kind)));
    let later = date.add_days(15);
    let r = page(&t, &s, &format!("/ward?on={later}"));
    let active_then = alerts.iter().filter(|a| {
        let d: graftwatch_core::Date = a.date.parse().unwrap();
        d <= later && later.days_since(d).get() <= 14
    });
    let shown = cell(&r.body).matches("badge bad").count();
    assert_eq!(shown, active_then.count(), "{}", cell(&r.body));
    assert!(!cell(&r.body).contains(&format!("</span> {date}</div>")));
    let before = date.add_days(-1);
    let r = page(&t, &s, &format!("/ward?on={before}"));
    assert!(
        !cell(&r.body).contains(&format!("</span> {date}")),
        "an alert after the day shown is not active"
    );
}

const CART_DAY: &str = "2024-03-10";

fn crs_form(head: i64, cause: &str) -> Vec<(&'static str, String)> {
    vec![
        ("base_rev", head.to_string()),
        ("date", CART_DAY.into()),
        ("temperature", "39.4".into()),
        ("temperature_unit", "°C".into()),
        ("hypotension", "vasopressor_required".into()),
        ("vaso_norepinephrine", "on".into()),
        ("vaso_vasopressin", "on".into()),
        ("fluid_bolus", "1000".into()),
        ("fluid_bolus_unit", "mL".into()),
        ("hypoxia", "no".into()),
        ("attr_crs", cause.into()),
        ("ice", "10".into()),
    ]
}

/// The web audit: a finding dated after today is refused, and saving the
/// same values twice (a reload) adds nothing the second time.
#[test]
fn bedside_entry_refuses_future_dates_and_repeats() {
    let (_db, t) = sqlite_app();
    let s = t.login("doc");
    let head = t.state.store.head("P1").unwrap();
    let form = |date: &str, rev: i64| {
        vec![
            ("base_rev", rev.to_string()),
            ("date", date.to_string()),
            ("anc", "1.5".to_string()),
            ("anc_unit", "10^9/L".to_string()),
        ]
    };
    let future = graftwatch_course::date_checks::today()
        .add_days(30)
        .to_string();
    let f = form(&future, head);
    let r = post_form(&t, &s, "/patients/P1/entry", &form_refs(&f));
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("is after today"), "{}", r.body);
    assert_eq!(t.state.store.head("P1").unwrap(), head, "nothing written");
    let f = form(CART_DAY, head);
    let r = post_form(&t, &s, "/patients/P1/entry", &form_refs(&f));
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let f = form(CART_DAY, head + 1);
    let r = post_form(&t, &s, "/patients/P1/entry", &form_refs(&f));
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("already in the course"), "{}", r.body);
    assert_eq!(t.state.store.head("P1").unwrap(), head + 1, "one revision");
    // "1,500 /µL" is refused as ambiguous, not stored as 1.5 cells.
    let f = vec![
        ("base_rev", (head + 1).to_string()),
        ("date", CART_DAY.to_string()),
        ("platelets", "150,000".to_string()),
        ("platelets_unit", "/uL".to_string()),
    ];
    let r = post_form(&t, &s, "/patients/P1/entry", &form_refs(&f));
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(t.state.store.head("P1").unwrap(), head + 1);
}

/// Saving from the page (htmx, `HX-Request`): a refusal or a conflict comes
/// back as the preview fragment, so the typed values stay in the form (the
/// web audit: error pages were dead ends that lost them); a conflict moves
/// the form to the latest revision; a save answers with `HX-Redirect`.
#[test]
fn bedside_save_from_the_page_keeps_the_form_on_errors_and_conflicts() {
    let (_db, t) = sqlite_app();
    let s = t.login("doc");
    let head = t.state.store.head("P1").unwrap();
    let send = |rev: i64, anc: &str| {
        let f = [
            ("base_rev", rev.to_string()),
            ("date", CART_DAY.to_string()),
            ("anc", anc.to_string()),
            ("anc_unit", "10^9/L".to_string()),
        ];
        t.send(
            axum::http::Request::post("/patients/P1/entry")
                .header(axum::http::header::COOKIE, s.cookie())
                .header("x-csrf-token", &s.csrf)
                .header("hx-request", "true")
                .header(
                    axum::http::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                )
                .body(axum::body::Body::from(
                    serde_urlencoded::to_string(f).unwrap(),
                ))
                .unwrap(),
        )
    };
    let r = send(head, "abc");
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        !r.body.contains("<html") && r.body.contains("abc"),
        "{}",
        r.body
    );
    let r = send(head - 1, "1.5");
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(
        r.body.contains(&format!("it is now at revision {head}"))
            && r.body.contains(&format!(
                "id=\"base-rev\" value=\"{head}\" hx-swap-oob=\"true\""
            )),
        "{}",
        r.body
    );
    assert_eq!(t.state.store.head("P1").unwrap(), head, "nothing written");
    let r = send(head, "1.5");
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        r.header("hx-redirect"),
        Some(format!("/patients/P1?saved={}#history", head + 1).as_str())
    );
}

#[test]
fn bedside_crs_fields_preview_in_clinical_words_and_save() {
    let (_db, t) = sqlite_app();
    let s = t.login("doc");
    let head = t.state.store.head("P1").unwrap();
    let form = page(&t, &s, &format!("/patients/P1/entry?date={CART_DAY}"));
    for want in [
        "name=\"hypotension\"",
        "<option value=\"fluid_responsive\">responded to fluids (no vasopressor)</option>",
        "name=\"vaso_norepinephrine\"",
        "name=\"fluid_bolus\"",
        "name=\"hypoxia\"",
        "name=\"attr_crs\"",
        "name=\"ice\"",
    ] {
        assert!(form.body.contains(want), "{want}");
    }
    let f = crs_form(head, "");
    let r = post_form(&t, &s, "/patients/P1/entry/preview", &form_refs(&f));
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("CRS grade 3"),
        "one vasopressor counted (vasopressin is not): {}",
        r.body
    );
    // Clinical words: no course kind names, no `>=`.
    let text = visible(&r.body);
    assert!(
        !text.contains("&gt;=") && !text.contains(">="),
        "{}",
        r.body
    );
    for kind in [
        "skin_erythema_bsa",
        "upper_gi_symptom_days",
        "stool_episode_equivalent",
        "fluid_bolus",
    ] {
        assert!(!text.contains(kind), "{kind}: {}", r.body);
    }
    let other = crs_form(head, "other");
    let r = post_form(&t, &s, "/patients/P1/entry/preview", &form_refs(&other));
    assert!(
        !r.body.contains("CRS grade 3"),
        "hypotension with another cause: {}",
        r.body
    );
    let r = post_form(&t, &s, "/patients/P1/entry", &form_refs(&f));
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let actor = common::store_common::actor("doc", Role::Clinician);
    let (c, meta) = t.state.store.course_at(&actor, "P1", None).unwrap();
    assert_eq!(meta.rev, head + 1, "one revision");
    let day: graftwatch_core::Date = CART_DAY.parse().unwrap();
    let kinds: Vec<&str> = c
        .observations
        .iter()
        .filter(|o| o.date == day)
        .map(|o| o.kind.as_str())
        .collect();
    for k in [
        "hypotension",
        "fluid_bolus",
        "hypoxia",
        "temperature",
        "ice_score",
    ] {
        assert!(kinds.contains(&k), "{k}: {kinds:?}");
    }
    let vaso: Vec<String> = c
        .events
        .iter()
        .filter(|e| e.date == day)
        .filter_map(|e| match &e.detail {
            graftwatch_course::EventDetail::Drug { name, class, .. }
                if *class == graftwatch_course::DrugClass::Vasopressor =>
            {
                Some(name.clone())
            }
            _ => None,
        })
        .collect();
    assert_eq!(vaso, ["norepinephrine", "vasopressin"]);
}

#[test]
fn lower_bound_grade_reads_at_least_and_not_yet_gradable() {
    let (_db, t) = sqlite_app();
    let s = t.login("doc");
    let head = t.state.store.head("P1").unwrap();
    let f = [
        ("base_rev", head.to_string()),
        ("date", "2025-05-25".to_string()),
        ("skin_bsa", "60".into()),
        ("skin_bsa_unit", "%".into()),
    ];
    let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = post_form(&t, &s, "/patients/P1/entry/preview", &f);
    assert!(r.body.contains("at least grade"), "{}", r.body);
    assert!(!r.body.contains("&gt;="), "{}", r.body);
    assert!(!r.body.contains("skin_erythema_bsa"), "{}", r.body);
}

#[test]
fn lab_form_offers_the_kits_and_records_the_one_chosen() {
    let (_db, t) = sqlite_app();
    let s = t.login("lab");
    let r = page(&t, &s, "/patients/P1/lab");
    assert!(r.body.contains("name=\"kit\""));
    assert!(
        r.body
            .contains("<option value=\"\">none: generic stutter defaults")
    );
    for k in graftwatch_chimerism::str::Kit::built_in_names().filter(|k| *k != "generic") {
        assert!(r.body.contains(&format!("<option value=\"{k}\">")), "{k}");
    }
    let refs = str_file("references.txt");
    for (person, sample) in [
        ("recipient", "R-pre"),
        ("UCB-1", "UCB-1"),
        ("PBSC-1", "PBSC-1"),
    ] {
        let r = post_multipart(
            &t,
            &s,
            "/patients/P1/lab/reference",
            &[("person", person), ("sample", sample)],
            ("references.txt", &refs),
        );
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let day30 = str_file("day30.txt");
    let up = |kit: &'static str| {
        [
            ("sample", "PB-d30-CD3"),
            ("lineage", "cd3"),
            ("date", "2025-05-25"),
            ("kit", kit),
        ]
    };
    let r = post_multipart(
        &t,
        &s,
        "/patients/P1/lab",
        &up("bogus"),
        ("day30.txt", &day30),
    );
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body
            .contains("field &#39;kit&#39;: unknown kit &#39;bogus&#39;"),
        "{}",
        r.body
    );
    let r = post_multipart(
        &t,
        &s,
        "/patients/P1/lab",
        &up("globalfiler"),
        ("day30.txt", &day30),
    );
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("· kit globalfiler"), "{}", r.body);
    let actor = common::store_common::actor("lab", Role::Lab);
    let runs = t.state.store.runs(&actor, "P1").unwrap();
    assert_eq!(runs.len(), 1, "the refused upload recorded nothing");
    assert_eq!(runs[0].run.parameters["kit"], "globalfiler");
    // The export's own threshold (its lowest peak, 51.1 RFU) is above the
    // usual 50 RFU, which is then kept and recorded.
    assert_eq!(runs[0].run.parameters["analytical_threshold_rfu"], 50.0);
}

#[test]
fn api_additions_are_checked_against_the_course_and_named_by_request_index() {
    let (_db, t) = sqlite_app();
    let tok = common::token_for(&t, "doc");
    let actor = common::store_common::actor("doc", Role::Clinician);
    let (course, _) = t.state.store.course_at(&actor, "P1", None).unwrap();
    let post = |body: serde_json::Value| {
        t.send(common::with_token(
            "POST",
            "/api/patients/P1/observations",
            &tok,
            Some(&body.to_string()),
        ))
    };
    // The second observation of the request is the bad one, and is named so.
    let r = post(serde_json::json!({"base_rev": 1, "observations": [
        {"date": "2025-05-25", "kind": "anc", "value": 1.2, "unit": "10^9/L"},
        {"date": "2025-05-25", "kind": "anc", "value": 1.2, "unit": "mg/dL"}]}));
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("observations[1]"), "{}", r.body);
    // Checked against the course: before the birth year, after death…
    let r = post(serde_json::json!({"base_rev": 1, "observations": [
        {"date": "1900-01-02", "kind": "anc", "value": 1.2, "unit": "10^9/L"}]}));
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("birth year"), "{}", r.body);
    // …after today (the web audit: a 2030 platelet count became the latest)…
    let future = graftwatch_course::date_checks::today()
        .add_days(1)
        .to_string();
    let r = post(serde_json::json!({"base_rev": 1, "observations": [
        {"date": future, "kind": "platelets", "value": 20, "unit": "10^9/L"}]}));
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("observations[0].date") && r.body.contains("after today"),
        "{}",
        r.body
    );
    // The error shape for every refusal the router itself makes: a body
    // over the limit (413), a wrong method (405, naming it).
    let big = format!(
        "{{\"base_rev\": 1, \"observations\": [], \"pad\": \"{}\"}}",
        "a".repeat(21 * 1024 * 1024)
    );
    let r = t.send(common::with_token(
        "POST",
        "/api/patients/P1/observations",
        &tok,
        Some(&big),
    ));
    assert_eq!(
        r.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        &r.body[..200.min(r.body.len())]
    );
    assert_eq!(r.json()["error"], "too_large");
    let r = t.send(common::with_token("DELETE", "/api/patients/P1", &tok, None));
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.json()["error"], "method_not_allowed", "{}", r.body);
    assert!(r.json()["message"].as_str().unwrap().contains("DELETE"));
    // …and a chimerism row for a donor the course does not have.
    let r = post(serde_json::json!({"base_rev": 1, "observations": [
        {"date": "2025-05-25", "kind": "chimerism", "value": 100.0, "unit": "%",
         "lineage": "cd3", "person": {"donor": "NOBODY"}, "method": "str", "sample": "S1"}]}));
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    // An observation already in the course is not added again.
    let old = course
        .observations
        .iter()
        .find(|o| o.kind.as_str() == "anc")
        .unwrap();
    let again = serde_json::json!({"date": old.date.to_string(), "kind": "anc",
        "value": old.number().unwrap(), "unit": "10^9/L"});
    let r = post(serde_json::json!({"base_rev": 1, "observations": [again,
        {"date": "2025-05-25", "kind": "anc", "value": 1.4, "unit": "10^9/L"}]}));
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["added"], 1);
}

#[test]
fn ngs_upload_against_stored_references_review_and_sign_off() {
    let (_db, t) = sqlite_app();
    let s = t.login("lab");
    let pileup = ngs_file("pileup.vcf");
    let sample = |file: (&str, &[u8]), name: &'static str| {
        post_multipart(
            &t,
            &s,
            "/patients/P1/lab",
            &[
                ("method", "ngs"),
                ("sample", name),
                ("lineage", "whole_blood"),
                ("date", "2025-05-25"),
            ],
            file,
        )
    };
    let r = sample(("pileup.vcf", &pileup), "day100");
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("no NGS marker panel stored"), "{}", r.body);
    let reference = |person: &str, name: &str, file: (&str, &[u8])| {
        post_multipart(
            &t,
            &s,
            "/patients/P1/lab/reference",
            &[("method", "ngs"), ("person", person), ("sample", name)],
            file,
        )
    };
    let r = reference("panel", "", ("panel.vcf", &ngs_file("panel.vcf")));
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("NGS marker panel stored"), "{}", r.body);
    let r = reference("recipient", "day100", ("notes.txt", b"x"));
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("neither a VCF"), "{}", r.body);
    let r = reference("recipient", "nobody", ("pileup.vcf", &pileup));
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("no sample &#39;nobody&#39;"), "{}", r.body);
    for (person, name) in [
        ("recipient", "recipient"),
        ("UCB-1", "ucb1"),
        ("PBSC-1", "pbsc"),
    ] {
        let r = reference(person, name, ("pileup.vcf", &pileup));
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(
            r.body
                .contains(&format!("NGS reference genotypes of {person} stored"))
        );
    }
    let r = sample(("day100.bam", b"not a bam"), "");
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("day100.bam"), "{}", r.body);
    let r = sample(("pileup.vcf", &pileup), "day100");
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("NGS · sample day100"), "{}", r.body);
    let actor = common::store_common::actor("lab", Role::Lab);
    let runs = t.state.store.runs(&actor, "P1").unwrap();
    assert_eq!(runs.len(), 1);
    // The example's truth (examples/ngs/truth.tsv): recipient 1 %, PBSC
    // 9.9 %, cord 89.1 %.
    let pct = |who: serde_json::Value| -> f64 {
        runs[0].run.results["persons"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["person"] == who)
            .unwrap()["percent"]
            .as_f64()
            .unwrap()
    };
    assert!((pct(serde_json::json!("recipient")) - 1.0).abs() < 0.6);
    assert!((pct(serde_json::json!("UCB-1")) - 89.1).abs() < 3.0);
    assert!((pct(serde_json::json!("PBSC-1")) - 9.9).abs() < 3.0);
    let rows = sign_off_chimerism(&t, &s, &actor, &runs[0].run_id, "2025-05-25");
    assert_eq!(rows.len(), 3);
    assert!(
        rows.iter()
            .all(|o| o.method == Some(graftwatch_course::ChimerismMethod::Ngs))
    );
    let total: f64 = rows.iter().filter_map(|o| o.number()).sum();
    assert!((total - 100.0).abs() < 0.1, "{total}");
    // Signing off the same run again is refused; nothing is written.
    let head = t.state.store.head("P1").unwrap();
    let r = post_form(
        &t,
        &s,
        &format!("/patients/P1/lab/runs/{}/signoff", runs[0].run_id),
        &[],
    );
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("already signed off by"), "{}", r.body);
    assert_eq!(t.state.store.head("P1").unwrap(), head);
}
