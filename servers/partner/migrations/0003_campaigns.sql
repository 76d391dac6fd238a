-- What partners running a campaign ask for (issue #23): a campaign code and the landing
-- page's attribution (utm_* and click ids, as the widget read them) on each donation, and
-- when a donation was reversed (refunded), so the goal meter's totals subtract it.
ALTER TABLE donations ADD COLUMN campaign TEXT;
ALTER TABLE donations ADD COLUMN attribution TEXT;
ALTER TABLE donations ADD COLUMN reversed_at BIGINT;
CREATE INDEX donations_totals ON donations (nonprofit_slug) WHERE status = 'completed' AND source = 'webhook';
