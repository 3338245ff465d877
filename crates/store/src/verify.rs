//! `audit verify`, second half: every stored course's revision chain.
//!
//! Each revision's chain hash is SHA-256 of the previous revision's chain
//! hash, its kind and its payload (`courses::check_chain`), so an edited,
//! removed or inserted revision breaks the chain from that revision on.
//! Reading a course checks the revisions it replays; this checks every
//! revision of every patient, so a damaged course is found before anyone
//! reads it (the ward list shows derived state and reads no payload).

use sqlx::Row as _;

use crate::backend::on_pool;
use crate::courses::StoredRev;
use crate::courses::check_chain;
use crate::error::{Result, StoreError};
use crate::store::Store;

/// What [`Store::verify_courses`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CourseVerification {
    /// Patients whose revisions were checked.
    pub patients: usize,
    /// Revisions whose payload was checked against its chain hash.
    pub revisions: usize,
    /// Purged patients: their payloads were erased on purpose, so only the
    /// revision numbering is checked.
    pub purged: usize,
    /// Every problem found, one per damaged patient (the first bad revision).
    pub problems: Vec<String>,
}

impl Store {
    /// Checks every revision of every patient against its chain hash and
    /// the revision numbering against the patient's latest revision.
    pub fn verify_courses(&self) -> Result<CourseVerification> {
        let mut out = CourseVerification::default();
        for (patient, head, purged) in self.patients_for_verify()? {
            out.patients += 1;
            let rows = match self.revision_rows(&patient, !purged) {
                Ok(rows) => rows,
                Err(StoreError::NoPatient(_)) => {
                    out.problems.push(format!(
                        "the course of '{patient}' is damaged: no revisions are stored (latest should be {head})"
                    ));
                    continue;
                }
                Err(StoreError::Corrupt { detail, rev, .. }) => {
                    out.problems.push(format!(
                        "the course of '{patient}' is damaged at revision {rev}: {detail}"
                    ));
                    continue;
                }
                Err(e) => return Err(e),
            };
            if purged {
                out.purged += 1;
            } else {
                out.revisions += rows.len();
            }
            if let Some(p) = check_patient(&patient, head, purged, &rows) {
                out.problems.push(p);
            }
        }
        Ok(out)
    }

    fn patients_for_verify(&self) -> Result<Vec<(String, i64, bool)>> {
        self.block(async {
            on_pool!(&self.pool, pool, _ops => {
                let rows = sqlx::query(
                    "SELECT patient_id, head_rev, purged FROM patients ORDER BY patient_id",
                )
                .fetch_all(pool)
                .await?;
                rows.iter()
                    .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get::<i64, _>(2)? != 0)))
                    .collect()
            })
        })
    }
}

/// The first problem of one patient's revisions, in words.
fn check_patient(patient: &str, head: i64, purged: bool, rows: &[StoredRev]) -> Option<String> {
    let at = |rev: i64, what: &str| {
        format!("the course of '{patient}' is damaged at revision {rev}: {what}")
    };
    let mut prev = String::new();
    for (i, StoredRev { meta, payload }) in rows.iter().enumerate() {
        let expected = i as i64 + 1;
        if meta.rev != expected {
            let next = meta.rev;
            return Some(at(
                expected,
                &format!("revision {expected} is missing (the next stored is {next})"),
            ));
        }
        let text = payload.as_deref().unwrap_or("");
        if !purged && check_chain(patient, &prev, meta, text).is_err() {
            return Some(at(
                meta.rev,
                "its payload does not match its chain hash (edited, or a revision before it was)",
            ));
        }
        prev = meta.chain_hash.clone();
    }
    let last = rows.last().map_or(0, |r| r.meta.rev);
    (last != head).then(|| {
        at(
            last.max(head),
            &format!("the patient's latest revision is {head} but revisions 1–{last} are stored"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{RevisionKind, RevisionMeta};

    fn chain(rows: &[(RevisionKind, &str)]) -> Vec<StoredRev> {
        let mut prev = String::new();
        rows.iter()
            .enumerate()
            .map(|(i, (kind, text))| {
                prev = crate::hashing::chain_hash(&prev, *kind, text);
                StoredRev {
                    meta: RevisionMeta {
                        patient: "P".into(),
                        rev: i as i64 + 1,
                        kind: *kind,
                        author: "a".into(),
                        at: "t".into(),
                        reason: None,
                        chain_hash: prev.clone(),
                    },
                    payload: Some(text.to_string()),
                }
            })
            .collect()
    }

    #[test]
    fn an_intact_chain_passes_and_each_kind_of_damage_is_named() {
        use RevisionKind::{Append, Create};
        let good = || chain(&[(Create, "{}"), (Append, "[1]"), (Append, "[2]")]);
        assert_eq!(check_patient("P", 3, false, &good()), None);
        let mut edited = good();
        edited[1].payload = Some("[9]".into());
        let p = check_patient("P", 3, false, &edited).unwrap();
        assert!(
            p.contains("'P' is damaged at revision 2") && p.contains("chain hash"),
            "{p}"
        );
        let mut gap = good();
        gap.remove(1);
        let p = check_patient("P", 3, false, &gap).unwrap();
        assert!(p.contains("revision 2 is missing"), "{p}");
        let mut truncated = good();
        truncated.pop();
        let p = check_patient("P", 3, false, &truncated).unwrap();
        assert!(p.contains("latest revision is 3 but revisions 1–2"), "{p}");
        // A purged patient's payloads are gone on purpose: numbering only.
        let mut purged = good();
        for r in &mut purged {
            r.payload = None;
        }
        assert_eq!(check_patient("P", 3, true, &purged), None);
    }
}
