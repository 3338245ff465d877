-- graftwatch store schema 3: per-patient derived state, chimerism runs,
-- reference profiles, users / sessions / API tokens.
CREATE TABLE patient_state (
    patient_id      TEXT PRIMARY KEY REFERENCES patients (patient_id),
    rev             BIGINT NOT NULL,
    engine_version  TEXT NOT NULL,
    config_hash     TEXT NOT NULL,
    computed_at     TEXT NOT NULL,
    alert_count     BIGINT NOT NULL,
    last_date       TEXT,
    summary         TEXT NOT NULL
);
CREATE INDEX patient_state_alerts ON patient_state (alert_count);
CREATE TABLE chimerism_runs (
    run_id          TEXT PRIMARY KEY,
    patient_id      TEXT NOT NULL REFERENCES patients (patient_id),
    created_at      TEXT NOT NULL,
    author          TEXT NOT NULL,
    method          TEXT NOT NULL,
    input_hashes    TEXT NOT NULL,
    parameters      TEXT NOT NULL,
    engine_version  TEXT NOT NULL,
    results         TEXT NOT NULL
);
CREATE INDEX chimerism_runs_patient ON chimerism_runs (patient_id);
CREATE TABLE run_signoffs (
    run_id      TEXT NOT NULL REFERENCES chimerism_runs (run_id),
    signer      TEXT NOT NULL,
    role        TEXT NOT NULL,
    signed_at   TEXT NOT NULL,
    meaning     TEXT NOT NULL,
    PRIMARY KEY (run_id, signer, signed_at)
);
CREATE TABLE reference_profiles (
    patient_id  TEXT NOT NULL REFERENCES patients (patient_id),
    person      TEXT NOT NULL,
    method      TEXT NOT NULL,
    version     BIGINT NOT NULL,
    created_at  TEXT NOT NULL,
    author      TEXT NOT NULL,
    input_hash  TEXT NOT NULL,
    profile     TEXT NOT NULL,
    PRIMARY KEY (patient_id, person, method, version)
);
CREATE TABLE users (
    user_name   TEXT PRIMARY KEY,
    role        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    disabled    BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE sessions (
    session_hash TEXT PRIMARY KEY,
    user_name    TEXT NOT NULL REFERENCES users (user_name),
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);
CREATE TABLE api_tokens (
    token_hash  TEXT PRIMARY KEY,
    user_name   TEXT NOT NULL REFERENCES users (user_name),
    label       TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    revoked_at  TEXT
);
