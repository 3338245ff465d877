//! Shared scenario builder for the NGS simulation tests (included with
//! `mod ngs_common;` by each `ngs_*.rs` test file).
#![allow(dead_code)]

use graftwatch_chimerism::AlleleCounts;
use graftwatch_chimerism::ngs::sim::{
    SimArtefacts, SimErrors, SimPanel, SimPerson, SimReads, SimRng, SimSiteEffects, haploidentical,
    simulate_counts_with, simulate_errors, simulate_panel_with_x, simulate_site_effects, unrelated,
};
use graftwatch_chimerism::ngs::{
    ErrorConfig, ErrorModel, GenotypeCall, GenotypeConfig, NgsConfig, NgsSampleResult, Person,
    Role, SiteConfig, SiteModel, analyse_sample_with, call_genotypes, learn_sites,
};

/// A transplant scenario: recipient, haplo PBSC donor, unrelated cord unit(s).
pub struct Scenario {
    pub panel: SimPanel,
    pub people: Vec<SimPerson>,
    pub persons: Vec<Person>,
    pub calls: Vec<Vec<GenotypeCall>>,
    pub errors: ErrorModel,
    pub sites: Vec<SiteModel>,
    pub sim_errors: SimErrors,
    pub effects: SimSiteEffects,
    pub reads: SimReads,
    pub rng: SimRng,
}

/// Builds a panel of 48 SNPs + 24 indels, a recipient, then `n_donors`
/// donors: the first haploidentical, the others unrelated (cord units);
/// genotypes are called from simulated pure samples at the same depth and
/// the error model is learned from them.
pub fn scenario(seed: u64, n_donors: usize) -> Scenario {
    scenario_with(seed, n_donors, SimReads::default())
}

/// [`scenario`] with explicit read parameters.
pub fn scenario_with(seed: u64, n_donors: usize, reads: SimReads) -> Scenario {
    scenario_panel(seed, n_donors, (48, 24), reads)
}

/// [`scenario_with`] with a panel of `panel.0` SNPs + `panel.1` indels.
pub fn scenario_panel(
    seed: u64,
    n_donors: usize,
    panel: (usize, usize),
    reads: SimReads,
) -> Scenario {
    scenario_full(seed, n_donors, panel, reads, &Messy::clean())
}

/// Artefacts of a messy scenario: per-read artefacts, X markers and whether
/// the donors are male (the recipient is female).
pub struct Messy {
    pub artefacts: SimArtefacts,
    pub x_markers: usize,
    pub male_donors: bool,
    /// Read parameters of the pure (reference) samples when they differ
    /// from the mixtures' (the real SRP434573 references: ~50 reads).
    pub reference_reads: Option<SimReads>,
}

impl Messy {
    /// No artefacts, no X markers.
    pub fn clean() -> Messy {
        Messy {
            artefacts: SimArtefacts::default(),
            x_markers: 0,
            male_donors: false,
            reference_reads: None,
        }
    }

    /// `SimArtefacts::messy()` plus 16 X SNPs and male donors for a female
    /// recipient (sex mismatch).
    pub fn real_like() -> Messy {
        Messy {
            artefacts: SimArtefacts::messy(),
            x_markers: 16,
            male_donors: true,
            reference_reads: None,
        }
    }

    /// The artefacts of [`Messy::real_like`] with the X markers and the
    /// references' depth of the real three-person mixture
    /// (`../shared/data/ngs-real-3person`, SRP434573): 24 X SNPs and pure
    /// samples at ~50 reads (GATK-downsampled, `reads` of the mixtures
    /// are set by the caller).
    pub fn real_panel() -> Messy {
        Messy {
            x_markers: 24,
            reference_reads: Some(SimReads {
                depth: 50,
                depth_cv: 0.05,
                error_cv: 1.0,
                ..SimReads::default()
            }),
            ..Messy::real_like()
        }
    }
}

/// The general scenario builder.
pub fn scenario_full(
    seed: u64,
    n_donors: usize,
    (n_snp, n_indel): (usize, usize),
    reads: SimReads,
    messy: &Messy,
) -> Scenario {
    let mut rng = SimRng::new(seed);
    let panel = simulate_panel_with_x(n_snp, n_indel, messy.x_markers, &mut rng);
    let sim_errors = simulate_errors(&panel, &reads, &mut rng);
    let effects = simulate_site_effects(&panel, &messy.artefacts, &mut rng);
    let recipient = unrelated(&panel, &mut rng);
    let mut people = vec![recipient.clone()];
    for d in 0..n_donors {
        let mut p = if d == 0 {
            haploidentical(&recipient, &panel, &mut rng)
        } else {
            unrelated(&panel, &mut rng)
        };
        if messy.male_donors {
            p.make_male(&panel);
        }
        people.push(p);
    }
    let mut persons = vec![Person {
        name: "recipient".into(),
        role: Role::Recipient,
    }];
    for d in 0..n_donors {
        persons.push(Person {
            name: if d == 0 {
                "PBSC-haplo".into()
            } else {
                format!("UCB-{d}")
            },
            role: Role::Donor,
        });
    }
    let gcfg = GenotypeConfig::default();
    let ref_reads = messy.reference_reads.unwrap_or(reads);
    let pure: Vec<Vec<Option<AlleleCounts>>> = people
        .iter()
        .map(|p| {
            simulate_counts_with(
                &[p],
                &[1.0],
                &sim_errors,
                &ref_reads,
                Some(&effects),
                &panel.markers,
                &mut rng,
            )
            .into_iter()
            .map(Some)
            .collect()
        })
        .collect();
    let calls: Vec<Vec<GenotypeCall>> = pure.iter().map(|c| call_genotypes(c, &gcfg)).collect();
    let pairs: Vec<(&[Option<AlleleCounts>], &[GenotypeCall])> = pure
        .iter()
        .zip(&calls)
        .map(|(c, g)| (c.as_slice(), g.as_slice()))
        .collect();
    let errors = ErrorModel::learn(&panel.markers, &pairs, &ErrorConfig::default());
    let sites = learn_sites(
        &panel.markers,
        &pairs,
        &errors,
        None,
        &SiteConfig::default(),
    );
    Scenario {
        panel,
        people,
        persons,
        calls,
        errors,
        sites,
        sim_errors,
        effects,
        reads,
        rng,
    }
}

impl Scenario {
    /// Simulates a post-transplant sample at `fractions` and analyses it.
    pub fn sample(&mut self, fractions: &[f64]) -> NgsSampleResult {
        let people = self.people.clone();
        let refs: Vec<&SimPerson> = people.iter().collect();
        let counts = self.counts(&refs, fractions);
        self.analyse(&counts).expect("analysable")
    }

    /// Simulated counts of a mixture of `people` (pure when one person).
    pub fn counts(
        &mut self,
        people: &[&SimPerson],
        fractions: &[f64],
    ) -> Vec<Option<AlleleCounts>> {
        simulate_counts_with(
            people,
            fractions,
            &self.sim_errors,
            &self.reads,
            Some(&self.effects),
            &self.panel.markers,
            &mut self.rng,
        )
        .into_iter()
        .map(Some)
        .collect()
    }

    /// Analyses counts with the default settings, as the CLI does.
    pub fn analyse(
        &self,
        counts: &[Option<AlleleCounts>],
    ) -> Result<NgsSampleResult, graftwatch_chimerism::ngs::NgsError> {
        self.analyse_with_sites(&self.sites, counts, &NgsConfig::default())
    }

    /// Analyses counts with other per-site models (e.g. the allele bias
    /// learnt from a run) and settings.
    pub fn analyse_with_sites(
        &self,
        sites: &[graftwatch_chimerism::ngs::SiteModel],
        counts: &[Option<AlleleCounts>],
        cfg: &NgsConfig,
    ) -> Result<NgsSampleResult, graftwatch_chimerism::ngs::NgsError> {
        analyse_sample_with(
            "s",
            &self.panel.markers,
            &self.persons,
            &self.calls,
            &self.errors,
            sites,
            counts,
            cfg,
        )
    }
}

/// The number in environment variable `name` (diagnostic tests' knobs),
/// else `default`.
pub fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Mean of a slice.
pub fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}
