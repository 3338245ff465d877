-- graftwatch store schema 1: store identity, patients and course revisions.
-- Portable SQL: the same text runs on SQLite and PostgreSQL.
CREATE TABLE patients (
    patient_id  TEXT PRIMARY KEY,
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    head_rev    BIGINT NOT NULL,
    deleted     BIGINT NOT NULL DEFAULT 0,
    purged      BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE revisions (
    patient_id  TEXT NOT NULL REFERENCES patients (patient_id),
    rev         BIGINT NOT NULL,
    kind        TEXT NOT NULL,
    author      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    reason      TEXT,
    payload     TEXT,
    chain_hash  TEXT NOT NULL,
    PRIMARY KEY (patient_id, rev)
);
CREATE TABLE imports (
    content_hash TEXT PRIMARY KEY,
    patient_id   TEXT NOT NULL,
    rev          BIGINT NOT NULL,
    file_name    TEXT NOT NULL,
    imported_at  TEXT NOT NULL
);
CREATE TABLE store_meta (
    meta_key    TEXT PRIMARY KEY,
    meta_value  TEXT NOT NULL
);
