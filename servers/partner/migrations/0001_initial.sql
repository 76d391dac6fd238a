-- The partner server's schema: portable SQL that SQLite and PostgreSQL both run as is. Times are Unix milliseconds.

-- Every verified webhook, kept whether or not it could be applied: `applied_at` says it
-- was, `apply_error` says why not (logged, counted in /healthz, re-applied at start and
-- on redelivery).
CREATE TABLE webhook_events (
    event_id      TEXT PRIMARY KEY,
    signature     TEXT NOT NULL UNIQUE,
    event_type    TEXT NOT NULL,
    sir_timestamp BIGINT NOT NULL,
    body          TEXT NOT NULL,
    received_at   BIGINT NOT NULL,
    applied_at    BIGINT,
    apply_error   TEXT
);
CREATE INDEX webhook_events_unapplied ON webhook_events (received_at) WHERE applied_at IS NULL;

-- Donations this server created (with the signed-in user as owner: the claim, and the
-- email the user's auth verified, if any) or heard of from a verified webhook.
CREATE TABLE donations (
    partner_donation_id TEXT PRIMARY KEY,
    owner_external_id   TEXT,
    owner_email         TEXT,
    status              TEXT NOT NULL,
    source              TEXT NOT NULL CHECK (source IN ('created', 'webhook', 'api')),
    amount_cents        BIGINT,
    currency            TEXT,
    nonprofit_slug      TEXT,
    frequency           TEXT,
    donor_email         TEXT,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);
CREATE INDEX donations_owner ON donations (owner_external_id);

-- One reward per donation: the outbox entry while `pending`, then its record. `held`: the
-- payment's facts disagree with the donation (another amount, another payer's email) and
-- an operator decides (see README, "The reward lifecycle").
CREATE TABLE rewards (
    partner_donation_id TEXT PRIMARY KEY REFERENCES donations (partner_donation_id),
    external_id         TEXT NOT NULL,
    email               TEXT,
    amount_cents        BIGINT NOT NULL,
    currency            TEXT NOT NULL,
    nonprofit_slug      TEXT,
    state               TEXT NOT NULL CHECK (state IN ('pending', 'held', 'issued', 'confirmed', 'failed', 'reversed')),
    action_id           TEXT,
    tokens              BIGINT,
    attempts            BIGINT NOT NULL DEFAULT 0,
    next_attempt_at     BIGINT NOT NULL,
    lease_until         BIGINT,
    last_error          TEXT,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);
CREATE INDEX rewards_due ON rewards (next_attempt_at) WHERE state = 'pending';

-- Demo sign-ins only (PARTNER_IDENTITY=demo): the SHA-256 of each cookie, never the cookie.
CREATE TABLE sessions (
    token_sha256 TEXT PRIMARY KEY,
    external_id  TEXT NOT NULL,
    email        TEXT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

-- Operational alerts SIR raised (token_pool.low_balance), shown in /healthz.
CREATE TABLE alerts (
    name      TEXT PRIMARY KEY,
    detail    TEXT NOT NULL,
    raised_at BIGINT NOT NULL
);
