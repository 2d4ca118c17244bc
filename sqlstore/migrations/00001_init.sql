-- iotguard schema, version 1. One file for SQLite and PostgreSQL, so only
-- portable types: TEXT, BIGINT, BOOLEAN and BYTEA (in SQLite a BYTEA
-- column has NUMERIC affinity, which stores blobs unchanged). Times are
-- BIGINT microseconds since the Unix epoch, UTC: exact on both backends
-- (PostgreSQL keeps microseconds), sortable, and free of time-zone and
-- driver conversions. Every tenant table has tenant_id in its primary key,
-- and child tables reference their parent through (tenant_id, id), so the
-- schema itself forbids a row that points into another tenant.

-- +goose Up
CREATE TABLE tenants (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE users (
    id             TEXT PRIMARY KEY,
    email          TEXT NOT NULL,
    -- email_key is the lower-cased e-mail: addresses are unique without
    -- regard to case on both backends.
    email_key      TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL DEFAULT '',
    password_hash  TEXT NOT NULL DEFAULT '',
    platform_admin BOOLEAN NOT NULL DEFAULT FALSE,
    disabled       BOOLEAN NOT NULL DEFAULT FALSE,
    created_at     BIGINT NOT NULL
);

CREATE TABLE memberships (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    user_id   TEXT NOT NULL REFERENCES users (id),
    role      TEXT NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE tokens (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id),
    name         TEXT NOT NULL,
    -- hash is the SHA-256 of the secret; the secret is never stored.
    hash         BYTEA NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT,
    revoked_at   BIGINT,
    last_used_at BIGINT
);
CREATE INDEX tokens_user ON tokens (user_id, id);

CREATE TABLE solutions (
    tenant_id    TEXT NOT NULL REFERENCES tenants (id),
    id           TEXT NOT NULL,
    name         TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    device_count BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, id)
);

-- Devices are kept whole as JSON, with the columns lists filter and sort
-- on beside it. Sort columns are NOT NULL ('' or 0 for unknown) because
-- the backends order NULLs differently, which would break keyset paging.
CREATE TABLE devices (
    tenant_id   TEXT NOT NULL,
    solution_id TEXT NOT NULL,
    id          TEXT NOT NULL,
    model       TEXT NOT NULL DEFAULT '',
    zone        TEXT NOT NULL DEFAULT '',
    site        TEXT NOT NULL DEFAULT '',
    lifecycle   TEXT NOT NULL DEFAULT '',
    serial      TEXT NOT NULL DEFAULT '',
    hostname    TEXT NOT NULL DEFAULT '',
    last_seen   BIGINT NOT NULL DEFAULT 0,
    data        TEXT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, solution_id, id),
    FOREIGN KEY (tenant_id, solution_id) REFERENCES solutions (tenant_id, id)
);
-- Each filter column leads an index in ID order (pages sorted by ID walk
-- it), followed by the other filter columns, so that counting any
-- combination of filters reads one index and no rows.
CREATE INDEX devices_model ON devices (tenant_id, solution_id, model, id, zone, site, lifecycle);
CREATE INDEX devices_zone ON devices (tenant_id, solution_id, zone, id, model, site, lifecycle);
CREATE INDEX devices_site ON devices (tenant_id, solution_id, site, id, model, zone, lifecycle);
CREATE INDEX devices_lifecycle ON devices (tenant_id, solution_id, lifecycle, id, model, zone, site);
CREATE INDEX devices_last_seen ON devices (tenant_id, solution_id, last_seen, id);
CREATE INDEX devices_serial ON devices (tenant_id, solution_id, serial);
CREATE INDEX devices_hostname ON devices (tenant_id, solution_id, hostname);

CREATE TABLE evidence (
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    sha256      TEXT NOT NULL,
    name        TEXT NOT NULL,
    size        BIGINT NOT NULL,
    media_type  TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at BIGINT NOT NULL,
    content     BYTEA NOT NULL,
    PRIMARY KEY (tenant_id, sha256)
);
CREATE INDEX evidence_uploaded ON evidence (tenant_id, uploaded_at, sha256);

CREATE TABLE attestations (
    tenant_id      TEXT NOT NULL,
    id             TEXT NOT NULL,
    solution_id    TEXT NOT NULL,
    control        TEXT NOT NULL,
    state          TEXT NOT NULL,
    -- data is the model.Attestation (statement, status, evidence) as JSON.
    data           TEXT NOT NULL,
    author         TEXT NOT NULL,
    reviewer       TEXT NOT NULL DEFAULT '',
    review_comment TEXT NOT NULL DEFAULT '',
    reviewed_at    BIGINT,
    expires_at     BIGINT,
    updated_at     BIGINT NOT NULL,
    version        BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, solution_id) REFERENCES solutions (tenant_id, id)
);
CREATE INDEX attestations_solution ON attestations (tenant_id, solution_id, id);
CREATE INDEX attestations_control ON attestations (tenant_id, solution_id, control, state);

CREATE TABLE assessments (
    tenant_id       TEXT NOT NULL,
    id              TEXT NOT NULL,
    solution_id     TEXT NOT NULL,
    assessed_at     BIGINT NOT NULL,
    received_at     BIGINT NOT NULL,
    tool_version    TEXT NOT NULL,
    summary         TEXT NOT NULL,
    -- control_status maps each control to its status, so the Statement of
    -- Applicability does not decode whole reports.
    control_status  TEXT NOT NULL,
    submitted_by    TEXT NOT NULL,
    -- report is the model.Assessment as JSON, gzip-compressed when
    -- report_encoding is 'gzip'.
    report_encoding TEXT NOT NULL,
    report          BYTEA NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, solution_id) REFERENCES solutions (tenant_id, id)
);
CREATE INDEX assessments_solution ON assessments (tenant_id, solution_id, assessed_at, id);

CREATE TABLE findings (
    tenant_id      TEXT NOT NULL,
    id             TEXT NOT NULL,
    solution_id    TEXT NOT NULL,
    -- fingerprint is the SHA-256 of check, asset and message.
    fingerprint    TEXT NOT NULL,
    check_id       TEXT NOT NULL,
    asset          TEXT NOT NULL,
    severity       TEXT NOT NULL,
    -- severity_order is 0 for critical to 4 for info: lists show the worst first.
    severity_order BIGINT NOT NULL,
    -- controls is ",S03,S22," so a control filter is one LIKE on both backends.
    controls       TEXT NOT NULL,
    state          TEXT NOT NULL,
    data           TEXT NOT NULL,
    reason         TEXT NOT NULL DEFAULT '',
    accepted_until BIGINT,
    first_seen     BIGINT NOT NULL,
    last_seen      BIGINT NOT NULL,
    reopened       BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, solution_id, fingerprint),
    FOREIGN KEY (tenant_id, solution_id) REFERENCES solutions (tenant_id, id)
);
CREATE INDEX findings_list ON findings (tenant_id, solution_id, severity_order, id);
CREATE INDEX findings_state ON findings (tenant_id, solution_id, state);

-- The audit log is one chain for the whole installation (seq is global);
-- tenant_id is '' for platform records.
CREATE TABLE audit_log (
    seq           BIGINT PRIMARY KEY,
    tenant_id     TEXT NOT NULL,
    actor         TEXT NOT NULL,
    at            BIGINT NOT NULL,
    action        TEXT NOT NULL,
    object_type   TEXT NOT NULL,
    object_id     TEXT NOT NULL,
    before_sha256 TEXT NOT NULL,
    after_sha256  TEXT NOT NULL,
    prev_hash     TEXT NOT NULL,
    hash          TEXT NOT NULL
);
CREATE INDEX audit_log_tenant ON audit_log (tenant_id, seq);

CREATE TABLE audit_checkpoints (
    seq       BIGINT PRIMARY KEY,
    hash      TEXT NOT NULL,
    at        BIGINT NOT NULL,
    key_id    TEXT NOT NULL,
    signature TEXT NOT NULL
);

-- +goose Down
DROP TABLE audit_checkpoints;
DROP TABLE audit_log;
DROP TABLE findings;
DROP TABLE assessments;
DROP TABLE attestations;
DROP TABLE evidence;
DROP TABLE devices;
DROP TABLE solutions;
DROP TABLE tokens;
DROP TABLE memberships;
DROP TABLE users;
DROP TABLE tenants;
