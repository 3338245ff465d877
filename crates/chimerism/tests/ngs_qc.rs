//! QC behaviour: identity check (unknown contributor, sample swap), donors
//! that cannot be split, marker outliers, and missing-data errors.

mod ngs_common;
use graftwatch_chimerism::AlleleCounts;
use graftwatch_chimerism::ngs::sim::{SimPerson, simulate_counts, unrelated};
use graftwatch_chimerism::ngs::{
    GenotypeConfig, NgsConfig, NgsError, analyse_sample, call_genotypes,
};
use ngs_common::{Scenario, scenario};

fn codes(r: &graftwatch_chimerism::ngs::NgsSampleResult) -> Vec<&'static str> {
    r.flags.iter().map(|f| f.code.as_str()).collect()
}

fn analyse_with(
    s: &mut ngs_common::Scenario,
    people: &[&SimPerson],
    fractions: &[f64],
) -> Result<graftwatch_chimerism::ngs::NgsSampleResult, NgsError> {
    let counts = s.counts(people, fractions);
    s.analyse(&counts)
}

/// `analyse_sample` on the scenario's markers and people with the default
/// settings (no site effects), naming the sample `name`.
fn analyse_plain(
    s: &Scenario,
    name: &str,
    counts: &[Option<AlleleCounts>],
) -> Result<graftwatch_chimerism::ngs::NgsSampleResult, NgsError> {
    analyse_sample(
        name,
        &s.panel.markers,
        &s.persons,
        &s.calls,
        &s.errors,
        counts,
        &NgsConfig::default(),
    )
}

/// Counts of a mixture of `people` at `fractions`, simulated without site
/// effects from the scenario's errors, reads and random stream.
fn plain_counts(
    s: &mut Scenario,
    people: &[SimPerson],
    fractions: &[f64],
) -> Vec<Option<AlleleCounts>> {
    let refs: Vec<&SimPerson> = people.iter().collect();
    simulate_counts(&refs, fractions, &s.sim_errors, &s.reads, &mut s.rng)
        .into_iter()
        .map(Some)
        .collect()
}

#[test]
fn undeclared_contributor_is_flagged() {
    let mut flagged = 0;
    for rep in 0..5 {
        let mut s = scenario(700 + rep, 1);
        let stranger = unrelated(&s.panel, &mut s.rng);
        let (r, d) = (s.people[0].clone(), s.people[1].clone());
        let res = analyse_with(&mut s, &[&r, &d, &stranger], &[0.05, 0.85, 0.10]).unwrap();
        let c = codes(&res);
        if c.contains(&"NGS-ID") || c.contains(&"NGS-FIT") {
            flagged += 1;
        }
    }
    assert_eq!(flagged, 5);
}

#[test]
fn swapped_sample_is_flagged() {
    let mut s = scenario(710, 2);
    let stranger = unrelated(&s.panel, &mut s.rng);
    let res = analyse_with(&mut s, &[&stranger], &[1.0]).unwrap();
    let c = codes(&res);
    assert!(c.contains(&"NGS-ID") && c.contains(&"NGS-FIT"), "{c:?}");
}

#[test]
fn near_identical_donors_are_not_split() {
    let mut s = scenario(720, 2);
    // Second donor = first donor except at exactly 2 markers (threshold 3).
    let mut twin = s.people[1].clone();
    let mut changed = 0;
    for h in twin.haplotypes.iter_mut() {
        if changed < 2 && h[0] == h[1] {
            h[0] = !h[0];
            changed += 1;
        }
    }
    s.people[2] = twin.clone();
    let pure = plain_counts(&mut s, std::slice::from_ref(&twin), &[1.0]);
    s.calls[2] = call_genotypes(&pure, &GenotypeConfig::default());
    let people: Vec<SimPerson> = s.people.clone();
    let refs: Vec<&SimPerson> = people.iter().collect();
    let res = analyse_with(&mut s, &refs, &[0.1, 0.45, 0.45]).unwrap();
    assert!(codes(&res).contains(&"NGS-SPLIT"), "{:?}", codes(&res));
    assert!(res.persons[1].fraction.is_none() && res.persons[2].fraction.is_none());
    assert_eq!(res.unsplit_groups.len(), 1);
    let g = &res.unsplit_groups[0];
    assert!((g.fraction.get() - 0.9).abs() < 0.01, "{:?}", g.fraction);
    assert!(
        g.ci.low.get() <= 0.9 && 0.9 <= g.ci.high.get(),
        "group CI {:?} misses 0.9",
        g.ci
    );
    // The recipient is still estimated.
    assert!((res.persons[0].fraction.unwrap().get() - 0.1).abs() < 0.01);
}

#[test]
fn missing_data_is_insufficient_data_naming_the_sample() {
    let s = scenario(730, 1);
    let counts = vec![None; s.panel.markers.len()];
    let e = analyse_plain(&s, "day30", &counts).unwrap_err();
    assert!(matches!(e, NgsError::InsufficientData { .. }));
    assert!(e.to_string().contains("day30"));
    let e = analyse_plain(&s, "x", &counts[1..]).unwrap_err();
    assert!(matches!(e, NgsError::LengthMismatch { .. }));
}

#[test]
fn shallow_and_missing_markers_are_excluded_with_reasons() {
    let mut s = scenario(740, 1);
    let people = s.people.clone();
    let mut counts = plain_counts(&mut s, &people, &[0.2, 0.8]);
    counts[0] = None;
    counts[1] = Some(AlleleCounts {
        ref_count: 50,
        alt_count: 49,
        other: 0,
    });
    let res = analyse_plain(&s, "s", &counts).unwrap();
    use graftwatch_chimerism::ngs::Exclusion;
    assert_eq!(res.markers[0].excluded, Some(Exclusion::MissingInSample));
    assert_eq!(
        res.markers[1].excluded,
        Some(Exclusion::LowDepth {
            depth: 99,
            min_depth: 100
        })
    );
    assert!((res.recipient().fraction.unwrap().get() - 0.2).abs() < 0.01);
}

#[test]
fn a_corrupted_marker_is_excluded_as_outlier() {
    let mut s = scenario(750, 1);
    let people = s.people.clone();
    let mut counts = plain_counts(&mut s, &people, &[0.2, 0.8]);
    // Pick a used marker and flip its counts (e.g. a copy-number change).
    let res = analyse_plain(&s, "s", &counts).unwrap();
    let m = res
        .markers
        .iter()
        .position(|m| m.used && m.observed_vaf.unwrap().get() < 0.3)
        .unwrap();
    let c = counts[m].unwrap();
    counts[m] = Some(AlleleCounts {
        ref_count: c.alt_count,
        alt_count: c.ref_count,
        other: 0,
    });
    let res = analyse_plain(&s, "s", &counts).unwrap();
    assert!(matches!(
        res.markers[m].excluded,
        Some(graftwatch_chimerism::ngs::Exclusion::Outlier { .. })
    ));
    assert!(codes(&res).contains(&"NGS-OUTLIER"));
    assert!(res.markers[m].expected_vaf.is_some());
    assert!((res.recipient().fraction.unwrap().get() - 0.2).abs() < 0.01);
}
