//! What a campaign's page shows and its partner exports: totals of the donations signed
//! webhooks confirmed (reversed ones subtracted), and those donations with their attribution.

use sqlx::{AnyConnection, Row as _};

use super::{Store, StoreError};

/// Money raised for a nonprofit (and campaign), from confirmed donations only.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Totals {
    /// Per currency, in minor units, largest first.
    pub raised: Vec<Raised>,
    pub donations: i64,
    /// Distinct donors: the owner, else the payer's email, else the donation itself.
    pub donors: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Raised {
    pub currency: String,
    pub amount: i64,
}

/// A confirmed donation, as the partner's export lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Confirmed {
    pub id: String,
    pub completed_at: i64,
    pub nonprofit_slug: Option<String>,
    pub campaign: Option<String>,
    pub amount_cents: Option<i64>,
    pub currency: Option<String>,
    pub frequency: Option<String>,
    pub attribution: Option<String>,
}

/// Confirmed: completed by a signed webhook, and not reversed since.
const CONFIRMED: &str = "status = 'completed' AND source = 'webhook' AND reversed_at IS NULL";

impl Store {
    /// The totals for `nonprofit` (and `campaign`, when given).
    /// One statement, so the sums and the counts are of the same moment.
    pub async fn totals(&self, nonprofit: &str, campaign: Option<&str>) -> Result<Totals, StoreError> {
        let scope = format!("{CONFIRMED} AND nonprofit_slug = $1 AND ($2 IS NULL OR campaign = $2)");
        let rows = sqlx::query(&format!(
            "SELECT COALESCE(currency, 'USD'), CAST(SUM(amount_cents) AS BIGINT),
                    (SELECT COUNT(*) FROM donations WHERE {scope}),
                    (SELECT COUNT(DISTINCT COALESCE(owner_external_id, LOWER(donor_email), partner_donation_id))
                     FROM donations WHERE {scope})
             FROM donations WHERE {scope}
             GROUP BY COALESCE(currency, 'USD') ORDER BY 2 DESC"
        ))
        .bind(nonprofit)
        .bind(campaign)
        .fetch_all(&self.pool)
        .await?;
        let mut totals = Totals::default();
        for row in &rows {
            totals.raised.push(Raised { currency: row.try_get(0)?, amount: row.try_get(1)? });
            totals.donations = row.try_get(2)?;
            totals.donors = row.try_get(3)?;
        }
        Ok(totals)
    }

    /// Marks a donation reversed (refunded): the totals no longer count it. A refund applied
    /// before its payment's completion (events may be applied out of order) leaves a row that
    /// the completion then fills in, still reversed.
    pub async fn mark_reversed(tx: &mut AnyConnection, id: &str, now: i64) -> Result<bool, StoreError> {
        let changed = sqlx::query(
            "INSERT INTO donations (partner_donation_id, status, source, created_at, updated_at, reversed_at)
             VALUES ($2, 'pending', 'webhook', $1, $1, $1)
             ON CONFLICT (partner_donation_id) DO UPDATE SET reversed_at = excluded.reversed_at, updated_at = excluded.updated_at
             WHERE donations.reversed_at IS NULL",
        )
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        Ok(changed.rows_affected() == 1)
    }

    /// Every confirmed donation, oldest first, for the partner's export.
    pub async fn confirmed_donations(&self) -> Result<Vec<Confirmed>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT partner_donation_id, updated_at, nonprofit_slug, campaign, amount_cents, currency, frequency,
                    attribution
             FROM donations WHERE {CONFIRMED} ORDER BY updated_at, partner_donation_id"
        ))
        .fetch_all(&self.pool)
        .await?;
        let confirmed = rows
            .iter()
            .map(|row| {
                Ok(Confirmed {
                    id: row.try_get(0)?,
                    completed_at: row.try_get(1)?,
                    nonprofit_slug: row.try_get(2)?,
                    campaign: row.try_get(3)?,
                    amount_cents: row.try_get(4)?,
                    currency: row.try_get(5)?,
                    frequency: row.try_get(6)?,
                    attribution: row.try_get(7)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()?;
        Ok(confirmed)
    }
}
