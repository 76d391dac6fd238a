//! Applying verified SIR events: the donation and reward lifecycle (API reference §5).
//!
//! | Event | Effect |
//! |---|---|
//! | `transaction.completed` | the donation is completed; its owner's reward goes into the outbox |
//! | `action.completed` | the reward is `confirmed`, with SIR's tokens |
//! | `action.failed` | an empty pool leaves the reward in the outbox (retried); any other reason makes it `failed` |
//! | `action.reversed` | the reward is `reversed` (the widget says so) |
//! | `token_pool.low_balance` | an alert: a warning in the log, and the state in `/healthz` |
//! | anything else | stored, applied as "nothing to do" |
//!
//! Decisions where the docs are silent: `action.reversed` is our name for a reversal (no
//! name is visible; it follows `action.completed`/`action.failed`, and the sandbox sends
//! it); `token_pool.low_balance` is the name the docs' start page uses in prose. `data` is
//! read leniently: unknown fields are ignored.
//!
//! A payment's amount is read from its JSON token as it was signed
//! (docs/decisions/2026-12-07-webhook-amount-units.md): an integer (`2500`, `"2500"`) is
//! minor units, as create-link's `amount` is; a decimal (`25.00`, `"25.5"`) is major units,
//! as actions use. Never whichever of the two happens to match.
//!
//! What is rewarded is the donation as this server created it: its amount, to its owner.
//! The signed event must agree: its amount and currency must be the created ones, and a
//! payer's email, if the event names one, must be the owner's verified email when their
//! auth vouches for one. Otherwise the reward is `held` for an operator (logged at error
//! level, counted in `/healthz` and the metrics), never sent on a guess. A completion that
//! arrives before this server stored the link (the webhook outran create-link's answer)
//! is kept, and rewarded when the link is stored ([`reward_after_claim`]). Lifecycle
//! events touch a reward only through the idempotency key this server gave it.

use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;
use sqlx::AnyConnection;

use crate::donations::valid_donation_id;
use crate::error::ApiError;
use crate::store::{Completion, DonationRow, LifecycleChange, RewardOrder, Store};
use sir_server_kit::{plain_text, well_formed_email};

pub const TRANSACTION_COMPLETED: &str = "transaction.completed";
pub const ACTION_COMPLETED: &str = "action.completed";
pub const ACTION_FAILED: &str = "action.failed";
pub const ACTION_REVERSED: &str = "action.reversed";
pub const TOKEN_POOL_LOW_BALANCE: &str = "token_pool.low_balance";
/// Our names for a refunded payment (none is documented; docs/decisions/2026-12-07-campaign-totals.md).
pub const TRANSACTION_REVERSALS: [&str; 2] = ["transaction.refunded", "transaction.reversed"];

/// The idempotency key this server gives a donation's reward action.
pub fn idempotency_key(donation_id: &str) -> String {
    format!("donation_{donation_id}")
}

/// What applying an event changed outside the database.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Effects {
    /// A reward is due: wake the outbox.
    pub reward_due: bool,
    /// Users whose balance may have changed (their cached balance is dropped).
    pub balances_changed: Vec<String>,
    /// A reward was held for an operator.
    pub reward_held: bool,
}

/// A stored event as SIR signed it: its `data`, and the `amount` token's own text.
pub struct SignedEvent {
    pub data: Value,
    amount_token: Option<String>,
}

impl SignedEvent {
    /// Reads a stored body; `None` if it is not an envelope with an object or no `data`.
    pub fn parse(body: &str) -> Option<Self> {
        #[derive(Deserialize)]
        struct Envelope<'a> {
            #[serde(borrow, default)]
            data: Option<&'a RawValue>,
        }
        #[derive(Deserialize)]
        struct Amount<'a> {
            #[serde(borrow, default)]
            amount: Option<&'a RawValue>,
        }
        let envelope: Envelope = serde_json::from_str(body).ok()?;
        let Some(raw) = envelope.data else { return Some(Self { data: Value::Null, amount_token: None }) };
        let amount_token = serde_json::from_str::<Amount>(raw.get())
            .ok()
            .and_then(|data| data.amount)
            .map(|token| token.get().to_owned())
            .filter(|token| token != "null");
        Some(Self { data: serde_json::from_str(raw.get()).ok()?, amount_token })
    }
}

/// Applies one event inside `tx`. `Ok(Err(reason))`: the event can't be applied (its data
/// is unusable); it stays stored, flagged with `reason`. `Err`: storage failed, roll back.
pub async fn apply(
    tx: &mut AnyConnection,
    event_id: &str,
    event_type: &str,
    event: &SignedEvent,
    now: i64,
) -> Result<Result<Effects, String>, ApiError> {
    let data = &event.data;
    match event_type {
        TRANSACTION_COMPLETED => transaction_completed(tx, event_id, event, now).await,
        ACTION_COMPLETED => {
            let change = LifecycleChange::Confirmed {
                action_id: text(data, "actionId"),
                tokens: whole(data, "tokensDistributed"),
            };
            lifecycle(tx, data, &change, now).await
        }
        ACTION_FAILED => {
            let reason = text(data, "reason").or_else(|| text(data, "code")).unwrap_or_else(|| "UNKNOWN".to_owned());
            // An empty pool can be topped up: the outbox keeps the reward and retries.
            let retryable = matches!(reason.as_str(), "INSUFFICIENT_POOL" | "RATE_LIMITED");
            lifecycle(tx, data, &LifecycleChange::Failed { retryable, reason }, now).await
        }
        ACTION_REVERSED => {
            let tokens = whole(data, "tokensReversed").or_else(|| whole(data, "tokensDistributed"));
            let change = LifecycleChange::Reversed { action_id: text(data, "actionId"), tokens };
            // A reward is reversed when its donation is refunded: the totals drop it too.
            if let Some(id) = our_donation(data) {
                Store::mark_reversed(tx, &id, now).await?;
            }
            lifecycle(tx, data, &change, now).await
        }
        reversal if TRANSACTION_REVERSALS.contains(&reversal) => {
            if let Some(id) = text(data, "partnerDonationId").filter(|id| valid_donation_id(id)) {
                Store::mark_reversed(tx, &id, now).await?;
            }
            Ok(Ok(Effects::default()))
        }
        TOKEN_POOL_LOW_BALANCE => {
            tracing::warn!(data = %data, "SIR says the token pool is running low: top it up (POST /v1/partner/token-pools/request)");
            Store::raise_alert(tx, TOKEN_POOL_LOW_BALANCE, &data.to_string(), now).await?;
            Ok(Ok(Effects::default()))
        }
        _ => Ok(Ok(Effects::default())),
    }
}

/// What a signed `transaction.completed` says about the payment.
struct Payment {
    /// The amount in minor units; `None` when the event states none.
    amount_cents: Option<i64>,
    currency: Option<String>,
    donor_email: Option<String>,
}

impl Payment {
    /// `Err` when the event's amount is there but unreadable.
    fn read(event: &SignedEvent) -> Result<Self, String> {
        let amount_cents = match &event.amount_token {
            None => None,
            Some(token) => match amount_cents(token) {
                Some(cents) => Some(cents),
                None => return Err(format!("transaction.completed with an unreadable amount {token}")),
            },
        };
        Ok(Self {
            amount_cents,
            currency: text(&event.data, "currency")
                .filter(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_alphabetic()))
                .map(|c| c.to_ascii_uppercase()),
            donor_email: text(&event.data, "donorEmail").filter(|e| well_formed_email(e)),
        })
    }
}

async fn transaction_completed(
    tx: &mut AnyConnection,
    event_id: &str,
    event: &SignedEvent,
    now: i64,
) -> Result<Result<Effects, String>, ApiError> {
    let data = &event.data;
    let Some(id) = text(data, "partnerDonationId").filter(|id| valid_donation_id(id)) else {
        return Ok(Err("transaction.completed without a usable partnerDonationId".to_owned()));
    };
    let payment = match Payment::read(event) {
        Ok(payment) => payment,
        Err(reason) => return Ok(Err(reason)),
    };
    let facts = Completion {
        id,
        event_id: event_id.to_owned(),
        amount_cents: payment.amount_cents,
        currency: payment.currency.clone(),
        nonprofit_slug: text(data, "nonprofitSlug").filter(|s| s.len() <= 100),
        frequency: text(data, "frequency").filter(|f| f.len() <= 16),
        donor_email: payment.donor_email.clone(),
    };
    let donation = Store::complete(tx, &facts, now).await?;
    reward_owner(tx, &donation, &payment, now).await
}

/// Queues the owner's reward for a donation a signed webhook completed, or holds it when
/// the payment disagrees with the donation. Nothing while nobody owns it: created
/// elsewhere (rewarded once a user whose verified email matches asks), or not stored yet.
async fn reward_owner(
    tx: &mut AnyConnection,
    donation: &DonationRow,
    payment: &Payment,
    now: i64,
) -> Result<Result<Effects, String>, ApiError> {
    let Some(owner) = donation.owner.as_deref() else { return Ok(Ok(Effects::default())) };
    let Some(created_cents) = donation.amount_cents else {
        return Ok(Err("transaction.completed for a donation of unknown amount".to_owned()));
    };
    let hold = match payment.amount_cents {
        None => Some("the payment's event states no amount"),
        Some(paid) if paid != created_cents => Some("the payment's amount is not the donation's"),
        _ => None,
    }
    .or_else(|| {
        let (paid, created) = (payment.currency.as_deref()?, donation.currency.as_deref()?);
        (!paid.eq_ignore_ascii_case(created)).then_some("the payment's currency is not the donation's")
    })
    .or_else(|| {
        let payer = payment.donor_email.as_deref()?;
        let owner = donation.owner_email.as_deref()?;
        (!payer.eq_ignore_ascii_case(owner)).then_some("paid with another email than the owner's verified one")
    });
    if let Some(reason) = hold {
        tracing::error!(donation = %donation.id, reason, "reward HELD for review");
    }
    let order = RewardOrder { owner, email: donation.owner_email.as_deref(), amount_cents: created_cents, hold };
    let queued = Store::enqueue_reward(tx, donation, &order, now).await?;
    Ok(Ok(Effects {
        reward_due: queued && hold.is_none(),
        reward_held: queued && hold.is_some(),
        ..Effects::default()
    }))
}

/// After this server stored a link (and its owner) that a signed webhook had already
/// completed: the owner's reward, decided from that stored event as if it came now.
pub async fn reward_after_claim(tx: &mut AnyConnection, donation: &DonationRow, now: i64) -> Result<Effects, ApiError> {
    if !donation.completed_by_webhook() {
        return Ok(Effects::default());
    }
    let Some(body) = Store::completing_event_body(tx, &donation.id).await? else { return Ok(Effects::default()) };
    let Some(payment) = SignedEvent::parse(&body).and_then(|event| Payment::read(&event).ok()) else {
        return Ok(Effects::default());
    };
    tracing::info!(donation = %donation.id, "the webhook came before the link was stored: rewarding now");
    Ok(reward_owner(tx, donation, &payment, now).await?.unwrap_or_default())
}

async fn lifecycle(
    tx: &mut AnyConnection,
    data: &Value,
    change: &LifecycleChange,
    now: i64,
) -> Result<Result<Effects, String>, ApiError> {
    let Some(donation_id) = our_donation(data) else {
        return Ok(Ok(Effects::default())); // Another system's action: nothing of ours.
    };
    let owner = Store::reward_lifecycle(tx, &donation_id, change, now).await?;
    if let (Some(_), LifecycleChange::Failed { retryable: false, reason }) = (&owner, change) {
        tracing::error!(donation = %donation_id, reason, "SIR reports the reward failed for good");
    }
    Ok(Ok(Effects { balances_changed: owner.into_iter().collect(), ..Effects::default() }))
}

/// The donation an action event is about, when the action is ours: ours carry the
/// idempotency key we gave them; nothing else (another system's action may name our
/// donation in its metadata) touches our rewards.
fn our_donation(data: &Value) -> Option<String> {
    text(data, "idempotencyKey")
        .and_then(|key| key.strip_prefix("donation_").map(str::to_owned))
        .filter(|id| valid_donation_id(id))
}

/// A non-empty string field without control characters.
fn text(data: &Value, name: &str) -> Option<String> {
    data.get(name)?.as_str().map(str::trim).filter(|s| !s.is_empty() && plain_text(s)).map(str::to_owned)
}

/// A whole number, given as a number or a string of digits.
fn whole(data: &Value, name: &str) -> Option<i64> {
    match data.get(name)? {
        Value::Number(n) => {
            n.as_i64().or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 1e15).map(|f| f as i64))
        }
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// An amount's JSON token (as signed) in minor units. An integer (`2500`, `"2500"`) is
/// minor units; a decimal (`25.00`, `"25.5"`) is major units, converted exactly from its
/// digits. At most 2 decimal places after trailing zeros; a sign, an exponent, or anything
/// else: `None`.
pub fn amount_cents(token: &str) -> Option<i64> {
    let token = token.trim();
    let text = match token.strip_prefix('"') {
        Some(_) => serde_json::from_str::<String>(token).ok()?.trim().to_owned(),
        None => token.to_owned(),
    };
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    match text.split_once('.') {
        None => digits(&text).then(|| text.parse::<i64>().ok()).flatten().filter(|c| *c <= 1_000_000_000_000),
        Some((units, fraction)) => {
            if !digits(units) || !(fraction.is_empty() || fraction.bytes().all(|b| b.is_ascii_digit())) {
                return None;
            }
            let fraction = fraction.trim_end_matches('0');
            if fraction.len() > 2 {
                return None;
            }
            let units: i64 = units.parse().ok().filter(|u: &i64| *u <= 10_000_000_000)?;
            let cents: i64 = format!("{fraction:0<2}").parse().ok()?;
            Some(units * 100 + cents)
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn an_integer_token_is_minor_units_and_a_decimal_one_major_units() {
        let cases = [
            ("2500", Some(2500)),
            ("\"2500\"", Some(2500)),
            ("25.00", Some(2500)),
            ("25.5", Some(2550)),
            ("\"25.00\"", Some(2500)),
            ("19.99", Some(1999)),
            ("2500.0", Some(250_000)),
            ("0.1", Some(10)),
            ("25", Some(25)),
            ("1.005", None),
            ("25.0000000000000001", None),
            ("-5", None),
            ("\"-5.00\"", None),
            ("1e3", None),
            ("2.5e1", None),
            ("\"25,00\"", None),
            ("\"$25\"", None),
            ("true", None),
            (".5", None),
        ];
        for (token, expected) in cases {
            assert_eq!(amount_cents(token), expected, "{token}");
        }
    }

    #[test]
    fn the_amount_token_is_kept_as_signed() {
        let event = SignedEvent::parse(r#"{"id":"e","data":{"amount":25.00,"currency":"USD"}}"#).expect("event");
        assert_eq!(event.amount_token.as_deref(), Some("25.00"));
        let event = SignedEvent::parse(r#"{"id":"e","data":{"amount":null}}"#).expect("event");
        assert_eq!(event.amount_token, None);
        assert!(SignedEvent::parse("not json").is_none());
    }

    #[test]
    fn whole_numbers_from_numbers_or_digits() {
        let data = json!({"a": 25, "b": "25", "c": 25.0, "d": 25.5, "e": "x"});
        assert_eq!([whole(&data, "a"), whole(&data, "b"), whole(&data, "c")], [Some(25); 3]);
        assert_eq!((whole(&data, "d"), whole(&data, "e"), whole(&data, "f")), (None, None, None));
    }
}
