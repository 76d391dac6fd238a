//! Donations: created here with their owner, completed by a verified webhook, or told
//! about by SIR's status API (reconciliation).

use sqlx::{AnyConnection, Row as _};

use super::{Store, StoreError};

/// A donation this server created for a user (the claim).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewDonation {
    pub id: String,
    pub owner: Option<String>,
    /// The owner's email, if their auth vouches for it: a payment with another email is
    /// held for review rather than rewarded.
    pub owner_email: Option<String>,
    pub amount_cents: i64,
    pub currency: String,
    pub nonprofit_slug: String,
    pub frequency: String,
    /// The partner's campaign code, for the goal meter's totals.
    pub campaign: Option<String>,
    /// The landing page's `utm_*` and click ids, as a JSON object.
    pub attribution: Option<String>,
}

/// What a verified `transaction.completed` says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Completion {
    pub id: String,
    /// The event that says so: applied again if the link is stored after it.
    pub event_id: String,
    pub amount_cents: Option<i64>,
    pub currency: Option<String>,
    pub nonprofit_slug: Option<String>,
    pub frequency: Option<String>,
    pub donor_email: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DonationRow {
    pub id: String,
    pub owner: Option<String>,
    pub owner_email: Option<String>,
    pub status: String,
    /// `created`, `webhook` or `api`: where the status came from.
    pub source: String,
    pub amount_cents: Option<i64>,
    pub currency: Option<String>,
    pub nonprofit_slug: Option<String>,
    pub donor_email: Option<String>,
    pub updated_at: i64,
    pub created_at: i64,
    pub campaign: Option<String>,
    /// A JSON object of `utm_*` and click ids.
    pub attribution: Option<String>,
}

impl DonationRow {
    /// Completed, as a verified webhook said (the only fact a reward is granted on).
    pub fn completed_by_webhook(&self) -> bool {
        self.status == "completed" && self.source == "webhook"
    }
}

const DONATION_COLUMNS: &str = "partner_donation_id, owner_external_id, owner_email, status, source, amount_cents, \
                                currency, nonprofit_slug, donor_email, updated_at, campaign, attribution, created_at";

fn donation_row(row: &sqlx::any::AnyRow) -> Result<DonationRow, sqlx::Error> {
    Ok(DonationRow {
        id: row.try_get(0)?,
        owner: row.try_get(1)?,
        owner_email: row.try_get(2)?,
        status: row.try_get(3)?,
        source: row.try_get(4)?,
        amount_cents: row.try_get(5)?,
        currency: row.try_get(6)?,
        nonprofit_slug: row.try_get(7)?,
        donor_email: row.try_get(8)?,
        updated_at: row.try_get(9)?,
        campaign: row.try_get(10)?,
        attribution: row.try_get(11)?,
        created_at: row.try_get(12)?,
    })
}

impl Store {
    /// Records a donation this server just created, owned by the signed-in user, and
    /// returns its row. A row a webhook wrote first (SIR's event outran create-link's
    /// answer) gets its owner and the created amount and currency (the event's are checked
    /// against them, never taken over them); a row someone else owns is an error, never
    /// silently kept.
    pub async fn create_donation_in(
        tx: &mut AnyConnection,
        donation: &NewDonation,
        now: i64,
    ) -> Result<DonationRow, StoreError> {
        let inserted = sqlx::query(
            "INSERT INTO donations (partner_donation_id, owner_external_id, owner_email, status, source, amount_cents,
                                    currency, nonprofit_slug, frequency, created_at, updated_at, campaign, attribution)
             VALUES ($1, $2, $3, 'pending', 'created', $4, $5, $6, $7, $8, $8, $9, $10) ON CONFLICT DO NOTHING",
        )
        .bind(&donation.id)
        .bind(donation.owner.as_deref())
        .bind(donation.owner_email.as_deref())
        .bind(donation.amount_cents)
        .bind(&donation.currency)
        .bind(&donation.nonprofit_slug)
        .bind(&donation.frequency)
        .bind(now)
        .bind(donation.campaign.as_deref())
        .bind(donation.attribution.as_deref())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 0 {
            let claimed = sqlx::query(
                "UPDATE donations SET owner_external_id = $1, owner_email = $2, amount_cents = $3, currency = $4,
                                      nonprofit_slug = COALESCE(nonprofit_slug, $5), frequency = COALESCE(frequency, $6),
                                      campaign = $8, attribution = $9
                 WHERE partner_donation_id = $7 AND owner_external_id IS NULL",
            )
            .bind(donation.owner.as_deref())
            .bind(donation.owner_email.as_deref())
            .bind(donation.amount_cents)
            .bind(&donation.currency)
            .bind(&donation.nonprofit_slug)
            .bind(&donation.frequency)
            .bind(&donation.id)
            .bind(donation.campaign.as_deref())
            .bind(donation.attribution.as_deref())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if claimed != 1 {
                return Err(StoreError::Invariant(format!("donation {} already exists with an owner", donation.id)));
            }
        }
        Self::donation_in(tx, &donation.id)
            .await?
            .ok_or_else(|| StoreError::Invariant("a donation vanished mid-transaction".to_owned()))
    }

    /// [`Store::create_donation_in`], in a transaction of its own.
    pub async fn create_donation(&self, donation: &NewDonation, now: i64) -> Result<DonationRow, StoreError> {
        let mut tx = self.begin().await?;
        let row = Self::create_donation_in(&mut tx, donation, now).await?;
        tx.commit().await?;
        Ok(row)
    }

    /// The stored body of the event that completed donation `id`, if one did.
    pub async fn completing_event_body(tx: &mut AnyConnection, id: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query(
            "SELECT e.body FROM donations d JOIN webhook_events e ON e.event_id = d.completed_event_id
             WHERE d.partner_donation_id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        Ok(row.map(|row| row.try_get(0)).transpose()?)
    }

    /// Marks a donation completed by a verified webhook, keeping details the webhook
    /// lacks, and the amount this server created it with (the event's is checked against
    /// it, never taken over it); returns the row as it now is.
    pub async fn complete(tx: &mut AnyConnection, facts: &Completion, now: i64) -> Result<DonationRow, StoreError> {
        sqlx::query(
            "INSERT INTO donations (partner_donation_id, status, source, amount_cents, currency, nonprofit_slug,
                                    frequency, donor_email, created_at, updated_at, completed_event_id)
             VALUES ($1, 'completed', 'webhook', $2, $3, $4, $5, $6, $7, $7, $8)
             ON CONFLICT (partner_donation_id) DO UPDATE SET
                status = 'completed',
                source = 'webhook',
                completed_event_id = COALESCE(donations.completed_event_id, excluded.completed_event_id),
                amount_cents = COALESCE(donations.amount_cents, excluded.amount_cents),
                currency = COALESCE(excluded.currency, donations.currency),
                nonprofit_slug = COALESCE(excluded.nonprofit_slug, donations.nonprofit_slug),
                frequency = COALESCE(excluded.frequency, donations.frequency),
                donor_email = COALESCE(excluded.donor_email, donations.donor_email),
                updated_at = CASE WHEN donations.source = 'webhook' THEN donations.updated_at ELSE excluded.updated_at END",
        )
        .bind(&facts.id)
        .bind(facts.amount_cents)
        .bind(facts.currency.as_deref())
        .bind(facts.nonprofit_slug.as_deref())
        .bind(facts.frequency.as_deref())
        .bind(facts.donor_email.as_deref())
        .bind(now)
        .bind(&facts.event_id)
        .execute(&mut *tx)
        .await?;
        Self::donation_in(tx, &facts.id)
            .await?
            .ok_or_else(|| StoreError::Invariant("a donation vanished mid-transaction".to_owned()))
    }

    pub async fn donation(&self, id: &str) -> Result<Option<DonationRow>, StoreError> {
        let mut connection = self.pool.acquire().await?;
        Self::donation_in(&mut connection, id).await
    }

    async fn donation_in(connection: &mut AnyConnection, id: &str) -> Result<Option<DonationRow>, StoreError> {
        sqlx::query(&format!("SELECT {DONATION_COLUMNS} FROM donations WHERE partner_donation_id = $1"))
            .bind(id)
            .fetch_optional(connection)
            .await?
            .as_ref()
            .map(donation_row)
            .transpose()
            .map_err(StoreError::from)
    }

    /// Gives an unowned donation to `owner` (a verified-email match); false if it has one.
    pub async fn assign_owner(tx: &mut AnyConnection, id: &str, owner: &str, now: i64) -> Result<bool, StoreError> {
        let changed = sqlx::query(
            "UPDATE donations SET owner_external_id = $1, updated_at = $2
             WHERE partner_donation_id = $3 AND owner_external_id IS NULL",
        )
        .bind(owner)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        Ok(changed == 1)
    }
}
