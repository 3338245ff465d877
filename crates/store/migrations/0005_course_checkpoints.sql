-- graftwatch store schema 5: per-patient course checkpoints.
-- The course at one revision (canonical JSON), kept only so that the
-- derived state of a write can be computed without replaying every
-- revision since the last full one (docs/store.md, "Derived state on
-- write"). Derived data like patient_state: reads and exports always
-- replay the revisions with their chain hashes; a purge deletes the row.
CREATE TABLE course_checkpoints (
    patient_id      TEXT PRIMARY KEY REFERENCES patients (patient_id),
    rev             BIGINT NOT NULL,
    chain_hash      TEXT NOT NULL,
    payload         TEXT NOT NULL
);
