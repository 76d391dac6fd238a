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
//! read leniently: unknown fields are ignored, and an amount may be integer cents (`2500`),
//! a decimal number of major units (`25.00`, as actions use) or either as a string.
//!
//! What is rewarded is the donation as this server created it: its amount, to its owner.
//! The signed event must agree: its amount must state the created one (in cents or in major
//! units: JSON writes 25.00 as 25), and a payer's email, if the event names one, must be the
//! owner's verified email when their auth vouches for one. Otherwise the reward is `held`
//! for an operator (logged at error level, counted in `/healthz`), never sent on a guess.
//! Lifecycle events touch a reward only through the idempotency key this server gave it.

use serde_json::Value;
use sqlx::AnyConnection;

use crate::donations::valid_donation_id;
use crate::error::ApiError;
use crate::store::{Completion, LifecycleChange, RewardOrder, Store};
use sir_server_kit::{plain_text, well_formed_email};

pub const TRANSACTION_COMPLETED: &str = "transaction.completed";
pub const ACTION_COMPLETED: &str = "action.completed";
pub const ACTION_FAILED: &str = "action.failed";
pub const ACTION_REVERSED: &str = "action.reversed";
pub const TOKEN_POOL_LOW_BALANCE: &str = "token_pool.low_balance";

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
}

/// Applies one event inside `tx`. `Ok(Err(reason))`: the event can't be applied (its data
/// is unusable); it stays stored, flagged with `reason`. `Err`: storage failed, roll back.
pub async fn apply(
    tx: &mut AnyConnection,
    event_type: &str,
    data: &Value,
    now: i64,
) -> Result<Result<Effects, String>, ApiError> {
    match event_type {
        TRANSACTION_COMPLETED => transaction_completed(tx, data, now).await,
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
            lifecycle(tx, data, &change, now).await
        }
        TOKEN_POOL_LOW_BALANCE => {
            tracing::warn!(data = %data, "SIR says the token pool is running low: top it up (POST /v1/partner/token-pools/request)");
            Store::raise_alert(tx, TOKEN_POOL_LOW_BALANCE, &data.to_string(), now).await?;
            Ok(Ok(Effects::default()))
        }
        _ => Ok(Ok(Effects::default())),
    }
}

async fn transaction_completed(
    tx: &mut AnyConnection,
    data: &Value,
    now: i64,
) -> Result<Result<Effects, String>, ApiError> {
    let Some(id) = text(data, "partnerDonationId").filter(|id| valid_donation_id(id)) else {
        return Ok(Err("transaction.completed without a usable partnerDonationId".to_owned()));
    };
    let amount_cents = match data.get("amount").filter(|v| !v.is_null()) {
        None => None,
        Some(amount) => match amount_cents(amount) {
            Some(cents) => Some(cents),
            None => return Ok(Err(format!("transaction.completed with an unreadable amount {amount}"))),
        },
    };
    let facts = Completion {
        id,
        amount_cents,
        currency: text(data, "currency")
            .filter(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_alphabetic()))
            .map(|c| c.to_ascii_uppercase()),
        nonprofit_slug: text(data, "nonprofitSlug").filter(|s| s.len() <= 100),
        frequency: text(data, "frequency").filter(|f| f.len() <= 16),
        donor_email: text(data, "donorEmail").filter(|e| well_formed_email(e)),
    };
    let donation = Store::complete(tx, &facts, now).await?;
    let Some(owner) = donation.owner.clone() else {
        // Created elsewhere: rewarded once a user whose verified email matches asks.
        return Ok(Ok(Effects::default()));
    };
    let Some(created_cents) = donation.amount_cents else {
        return Ok(Err("transaction.completed for a donation of unknown amount".to_owned()));
    };
    let hold = match data.get("amount").filter(|v| !v.is_null()) {
        None => Some("the payment's event states no amount"),
        Some(amount) if !states_amount(amount, created_cents) => Some("the payment's amount is not the donation's"),
        _ => None,
    }
    .or_else(|| {
        let payer = facts.donor_email.as_deref()?;
        let owner = donation.owner_email.as_deref()?;
        (!payer.eq_ignore_ascii_case(owner)).then_some("paid with another email than the owner's verified one")
    });
    if let Some(reason) = hold {
        tracing::error!(donation = %donation.id, reason, "reward HELD for review");
    }
    let order =
        RewardOrder { owner: &owner, email: donation.owner_email.as_deref(), amount_cents: created_cents, hold };
    Store::enqueue_reward(tx, &donation, &order, now).await?;
    Ok(Ok(Effects { reward_due: hold.is_none(), balances_changed: Vec::new() }))
}

async fn lifecycle(
    tx: &mut AnyConnection,
    data: &Value,
    change: &LifecycleChange,
    now: i64,
) -> Result<Result<Effects, String>, ApiError> {
    // Ours carry the idempotency key we gave them; nothing else (another system's action
    // may name our donation in its metadata) touches our rewards.
    let donation_id = text(data, "idempotencyKey")
        .and_then(|key| key.strip_prefix("donation_").map(str::to_owned))
        .filter(|id| valid_donation_id(id));
    let Some(donation_id) = donation_id else {
        return Ok(Ok(Effects::default())); // Another system's action: nothing of ours.
    };
    let owner = Store::reward_lifecycle(tx, &donation_id, change, now).await?;
    if let (Some(_), LifecycleChange::Failed { retryable: false, reason }) = (&owner, change) {
        tracing::error!(donation = %donation_id, reason, "SIR reports the reward failed for good");
    }
    Ok(Ok(Effects { reward_due: false, balances_changed: owner.into_iter().collect() }))
}

/// A non-empty string field without control characters.
fn text(data: &Value, name: &str) -> Option<String> {
    data.get(name)?.as_str().map(str::trim).filter(|s| !s.is_empty() && plain_text(s)).map(str::to_owned)
}

/// Whether `amount` states `cents`, read as cents or as major units: the events don't say
/// which, and JSON writes a whole 25.00 as 25.
pub fn states_amount(amount: &Value, cents: i64) -> bool {
    let whole = match amount {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    };
    amount_cents(amount) == Some(cents) || whole.and_then(|units| units.checked_mul(100)) == Some(cents)
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

/// An amount as integer cents. An integer (`2500`, `"2500"`) is cents, as create-link
/// sends it; a decimal (`25.00`, `"25.5"`) is major units, as actions send it, converted
/// exactly from its digits, never through float arithmetic. At most 2 decimal places;
/// negative, fractional cents, or anything else: `None`.
pub fn amount_cents(value: &Value) -> Option<i64> {
    let text = match value {
        Value::Number(number) if number.is_u64() => return number.as_u64().and_then(|n| i64::try_from(n).ok()),
        Value::Number(number) if number.is_i64() => return None,
        // serde_json writes a float's shortest round-trip digits: 25.0, 19.99, 1e21.
        Value::Number(number) => number.to_string(),
        Value::String(text) => text.trim().to_owned(),
        _ => return None,
    };
    match text.split_once('.') {
        None => text.parse::<u64>().ok().and_then(|n| i64::try_from(n).ok()),
        Some((units, fraction)) => {
            if units.is_empty()
                || !units.bytes().all(|b| b.is_ascii_digit())
                || !fraction.bytes().all(|b| b.is_ascii_digit())
            {
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
    fn amounts_are_read_as_cents_or_exact_major_units() {
        let cases = [
            (json!(2500), Some(2500)),
            (json!("2500"), Some(2500)),
            (json!(25.00), Some(2500)),
            (json!(25.5), Some(2550)),
            (json!("25.00"), Some(2500)),
            (json!("19.99"), Some(1999)),
            (json!(19.99), Some(1999)),
            (json!(0.1), Some(10)),
            (json!("1.005"), None),
            (json!(-5), None),
            (json!("-5.00"), None),
            (json!(1e21), None),
            (json!("25,00"), None),
            (json!("$25"), None),
            (json!(true), None),
            (json!(null), None),
        ];
        for (value, expected) in cases {
            assert_eq!(amount_cents(&value), expected, "{value}");
        }
    }

    #[test]
    fn an_amount_states_the_donation_in_cents_or_in_major_units() {
        for agrees in [json!(2500), json!(25), json!(25.0), json!("25.00"), json!("2500"), json!(25.00)] {
            assert!(states_amount(&agrees, 2500), "{agrees}");
        }
        for differs in [json!(2600), json!(24.99), json!("26"), json!(250), json!(null), json!("a lot")] {
            assert!(!states_amount(&differs, 2500), "{differs}");
        }
        assert!(states_amount(&json!(19.99), 1999) && !states_amount(&json!(19), 1999));
    }

    #[test]
    fn whole_numbers_from_numbers_or_digits() {
        let data = json!({"a": 25, "b": "25", "c": 25.0, "d": 25.5, "e": "x"});
        assert_eq!([whole(&data, "a"), whole(&data, "b"), whole(&data, "c")], [Some(25); 3]);
        assert_eq!((whole(&data, "d"), whole(&data, "e"), whole(&data, "f")), (None, None, None));
    }
}
