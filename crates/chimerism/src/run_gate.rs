//! Whether a run's results may be recorded (`--add-to` a course or the
//! store), one rule for `chimerism str` and `chimerism ngs`:
//!
//! - a sample that may not be the patient's — STR's `STR-NO-MATCH` (its
//!   signal matches none of the declared people) or NGS's `NGS-ID` (alleles
//!   no declared person carries at enough identity markers: an unknown
//!   contributor or a swapped tube) — is reported for review, nothing from
//!   the run is recorded, and the command exits 2 after the report, with or
//!   without `--add-to` (a swapped tube may concern other rows too);
//! - a failed run control (`RUN-CONTROL-FAILED`) makes every result of the
//!   run not reportable: with `--add-to` nothing is recorded and the command
//!   exits 2 after the report naming the control; without `--add-to` the
//!   report carries the warning and the command exits 0.

use serde::Serialize;

/// The flag every sample of a run carries when a run control failed.
pub const CONTROL_FAILED_FLAG: &str = "RUN-CONTROL-FAILED";

/// A sample held back for review: its flag code (`STR-NO-MATCH`, `NGS-ID`)
/// and who it is (`patient 'P': sample 'S' (file:sample): why`).
#[derive(Debug, Clone, PartialEq)]
pub struct HeldSample {
    /// The flag code.
    pub code: &'static str,
    /// The sample named, with the reason.
    pub text: String,
}

/// What stops a run from being recorded.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunGate {
    /// Samples analysed in the run (every patient).
    pub samples: usize,
    /// Samples that may not be the patient's.
    pub held: Vec<HeldSample>,
    /// Failed run controls, each as `NAME (TYPE control: detail)`.
    pub failed_controls: Vec<String>,
}

/// The run-level status written into the JSON outputs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunStatus {
    /// `reportable`, or `not_reportable` when a run control failed.
    pub status: &'static str,
    /// Run-level flags (`RUN-CONTROL-FAILED`); every sample of the run
    /// carries them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<&'static str>,
    /// The failed controls, each as `NAME (TYPE control: detail)`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub failed_controls: Vec<String>,
}

impl RunGate {
    /// True when the run's results may be recorded.
    pub fn records(&self) -> bool {
        self.held.is_empty() && self.failed_controls.is_empty()
    }

    /// The run-level status (for the JSON).
    pub fn status(&self) -> RunStatus {
        status_of(&self.failed_controls)
    }

    /// The message the command exits 2 with after writing its report, or
    /// `None` when the run stands. `add_to` says whether `--add-to` asked
    /// for the results to be recorded.
    pub fn verdict(&self, add_to: bool) -> Option<String> {
        let recorded = if add_to {
            "; nothing was added to the course (--add-to)"
        } else {
            ""
        };
        let controls = (!self.failed_controls.is_empty()).then(|| {
            format!(
                "run control failed ({CONTROL_FAILED_FLAG}): {}: every result of this run is not reportable",
                self.failed_controls.join("; ")
            )
        });
        if !self.held.is_empty() {
            let mut codes: Vec<&str> = self.held.iter().map(|h| h.code).collect();
            codes.dedup();
            let names: Vec<&str> = self.held.iter().map(|h| h.text.as_str()).collect();
            let also = controls.map(|c| format!("; {c}")).unwrap_or_default();
            return Some(format!(
                "{} of {} samples refused ({}): {}; the other samples are reported above{also}{recorded}",
                self.held.len(),
                self.samples,
                codes.join(", "),
                names.join("; ")
            ));
        }
        match controls {
            Some(c) if add_to => Some(format!(
                "{c} (the results are shown above; repeat the run, or document why the results stand){recorded}"
            )),
            _ => None,
        }
    }
}

/// The run-level status of a run with these failed controls.
pub fn status_of(failed_controls: &[String]) -> RunStatus {
    let failed = !failed_controls.is_empty();
    RunStatus {
        status: if failed {
            "not_reportable"
        } else {
            "reportable"
        },
        flags: if failed {
            vec![CONTROL_FAILED_FLAG]
        } else {
            Vec::new()
        },
        failed_controls: failed_controls.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn held(text: &str) -> HeldSample {
        HeldSample {
            code: "NGS-ID",
            text: text.into(),
        }
    }

    #[test]
    fn a_clean_run_records_and_stands() {
        let g = RunGate {
            samples: 3,
            ..RunGate::default()
        };
        assert!(g.records());
        assert_eq!(g.verdict(true), None);
        assert_eq!(g.status().status, "reportable");
    }

    #[test]
    fn a_held_sample_exits_2_with_or_without_add_to() {
        let g = RunGate {
            samples: 4,
            held: vec![held("sample 'N-swap'")],
            failed_controls: Vec::new(),
        };
        assert!(!g.records());
        let m = g.verdict(false).unwrap();
        assert!(
            m.starts_with("1 of 4 samples refused (NGS-ID): sample 'N-swap'"),
            "{m}"
        );
        assert!(!m.contains("--add-to"), "{m}");
        assert!(
            g.verdict(true)
                .unwrap()
                .ends_with("nothing was added to the course (--add-to)")
        );
    }

    #[test]
    fn a_failed_control_stops_add_to_only() {
        let g = RunGate {
            samples: 6,
            held: Vec::new(),
            failed_controls: vec!["NTC2 (negative control: peaks at CSF1PO)".into()],
        };
        assert!(!g.records());
        assert_eq!(g.verdict(false), None);
        let m = g.verdict(true).unwrap();
        assert!(
            m.contains("RUN-CONTROL-FAILED") && m.contains("NTC2"),
            "{m}"
        );
        let s = g.status();
        assert_eq!(
            (s.status, s.flags),
            ("not_reportable", vec![CONTROL_FAILED_FLAG])
        );
    }
}
