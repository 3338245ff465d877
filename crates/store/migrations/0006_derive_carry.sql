-- graftwatch store schema 6: per-patient derivation carry.
-- The course at one revision reduced to what new findings can still be
-- read with, with the whole course's derived summary at that revision,
-- so that an append derives the new state without grading the whole
-- history (docs/store.md, "Appending a day: the carry"). Derived data
-- like patient_state: used only when its
-- revision, chain hash, engine version and configuration hash are the
-- current ones; a purge deletes the row.
CREATE TABLE derive_carry (
    patient_id      TEXT PRIMARY KEY REFERENCES patients (patient_id),
    rev             BIGINT NOT NULL,
    chain_hash      TEXT NOT NULL,
    engine_version  TEXT NOT NULL,
    config_hash     TEXT NOT NULL,
    summary         TEXT NOT NULL,
    course          TEXT NOT NULL
);
