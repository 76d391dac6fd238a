-- Webhooks are stored first and applied afterwards by the inbox workers (webhook.rs,
-- inbox.rs): `lease_until` keeps two instances off one event, as in the reward outbox.
ALTER TABLE webhook_events ADD COLUMN lease_until BIGINT;
CREATE INDEX webhook_events_queued ON webhook_events (received_at) WHERE applied_at IS NULL AND apply_error IS NULL;

-- The `transaction.completed` that completed a donation: applied again when the link is
-- stored after it (the webhook outran create-link's answer).
ALTER TABLE donations ADD COLUMN completed_event_id TEXT;
-- Reconciliation (reconcile.rs): when SIR's status API was last asked about a donation
-- still open.
ALTER TABLE donations ADD COLUMN checked_at BIGINT;
CREATE INDEX donations_open ON donations (created_at) WHERE status IN ('pending', 'processing');
