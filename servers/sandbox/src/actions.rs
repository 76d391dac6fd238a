//! Secret-key endpoints that move tokens (API reference §3): `POST /v1/partner/actions/submit`
//! and `GET /v1/partner/users/{externalId}/balance`, over a per-partner token pool.
//!
//! Decisions where the docs are silent (also in README.md):
//! * Reward rule: each stakeholder earns one token per whole unit of `amount`
//!   (1 per dollar, cents dropped), at least 1; `tokensDistributed` is the sum over the
//!   stakeholders, and each stakeholder gets one transaction id.
//! * Every seeded partner starts with a pool of [`INITIAL_POOL_TOKENS`]. An action the
//!   pool can't pay in full is refused whole: 402 `INSUFFICIENT_POOL`, nothing is
//!   debited, an `action.failed` webhook is sent, and the key is *not* recorded, so the
//!   same request succeeds once the pool is topped up (`POST /__sandbox/pool`).
//! * Idempotency keys are per partner. The body is validated first; then a key already
//!   processed answers 409 `IDEMPOTENT` with the first response under `"original"`,
//!   whatever the rest of the body says.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::body::{AppJson, CURRENCIES};
use crate::error::{ApiError, ErrorCode};
use crate::gate::AuthedPartner;
use crate::model::ledger::Credit;
use crate::state::AppState;
use crate::webhooks;

/// Decision: the same cap as create-link's, in major units.
pub const MAX_ACTION_AMOUNT: f64 = 1_000_000.0;
const MAX_STAKEHOLDERS: usize = 10;
const MAX_KEY_CHARS: usize = 255;
const MAX_USER_ID_CHARS: usize = 128;
const MAX_NAME_CHARS: usize = 100;

/// Tokens one stakeholder earns for an action of `amount` major units.
pub fn reward_per_stakeholder(amount: f64) -> u64 {
    (amount.floor() as u64).max(1)
}

#[derive(Clone, Debug, PartialEq)]
struct Stakeholder {
    type_code: String,
    partner_user_id: String,
    email: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
}

#[derive(Debug)]
struct ActionRequest {
    idempotency_key: String,
    action_type: String,
    amount: f64,
    currency: &'static str,
    stakeholders: Vec<Stakeholder>,
    auto_create_users: bool,
    metadata: Option<Map<String, Value>>,
}

/// The documented response (r12).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ActionResponse {
    action_id: String,
    idempotency_key: String,
    status: &'static str,
    tokens_distributed: u64,
    transaction_ids: Vec<String>,
}

/// `POST /v1/partner/actions/submit` → 201 (decision: 201, as for create-link).
pub async fn submit(
    State(state): State<AppState>,
    Extension(AuthedPartner(partner)): Extension<AuthedPartner>,
    body: Result<AppJson<Map<String, Value>>, ApiError>,
) -> Result<Response, ApiError> {
    if !partner.enabled_features.contains(&"ACTIONS") {
        return Err(ApiError::forbidden(ErrorCode::ActionsDisabled, "Actions are not enabled for this partner"));
    }
    let AppJson(body) = body?;
    let request = ActionRequest::validate(&body)?;
    let per_stakeholder = reward_per_stakeholder(request.amount);
    let total = per_stakeholder * request.stakeholders.len() as u64;
    let key = (partner.id, request.idempotency_key.clone());

    let mut inner = state.lock();
    if let Some(original) = inner.ledger.actions.get(&key).cloned() {
        inner.ledger.repeats += 1;
        return Err(ApiError::idempotent(original));
    }
    if !request.auto_create_users
        && let Some(missing) =
            request.stakeholders.iter().find(|s| inner.ledger.user(partner.id, &s.partner_user_id).is_none())
    {
        return Err(ApiError::not_found(
            ErrorCode::UserNotFound,
            format!(
                "No user with partnerUserId {:?}; send autoCreateUsers: true to create it",
                missing.partner_user_id
            ),
        ));
    }
    let pool = inner.ledger.pool(partner.id);
    if pool < total {
        drop(inner);
        let message = format!(
            "The token pool has {pool} tokens; this action needs {total}. Ask for more with POST /v1/partner/token-pools/request"
        );
        let data = json!({
            "idempotencyKey": request.idempotency_key,
            "actionType": request.action_type,
            "status": "FAILED",
            "reason": "INSUFFICIENT_POOL",
            "message": message,
        });
        webhooks::emit(&state, partner.id, webhooks::ACTION_FAILED, data);
        return Err(ApiError::new(StatusCode::PAYMENT_REQUIRED, ErrorCode::InsufficientPool, message));
    }

    inner.ledger.set_pool(partner.id, pool - total);
    let threshold = state.config.pool_low_threshold;
    let fell_low = pool >= threshold && pool - total < threshold;
    let action_id = inner.new_id();
    let mut transaction_ids = Vec::with_capacity(request.stakeholders.len());
    let mut credited = Vec::with_capacity(request.stakeholders.len());
    for stakeholder in &request.stakeholders {
        transaction_ids.push(inner.new_id());
        let user = inner.ledger.users.entry((partner.id, stakeholder.partner_user_id.clone())).or_default();
        // Newer profile details win; absent ones keep what was known.
        user.email = stakeholder.email.clone().or(user.email.take());
        user.first_name = stakeholder.first_name.clone().or(user.first_name.take());
        user.last_name = stakeholder.last_name.clone().or(user.last_name.take());
        user.balance += per_stakeholder;
        credited.push(json!({
            "partnerUserId": stakeholder.partner_user_id,
            "stakeholderTypeCode": stakeholder.type_code,
            "tokens": per_stakeholder,
        }));
    }
    let response = ActionResponse {
        action_id: action_id.clone(),
        idempotency_key: request.idempotency_key.clone(),
        status: "COMPLETED",
        tokens_distributed: total,
        transaction_ids: transaction_ids.clone(),
    };
    let original = serde_json::to_value(&response).unwrap_or_default();
    inner.ledger.actions.insert(key, original);
    inner.ledger.credits.insert(
        action_id.clone(),
        Credit {
            partner_id: partner.id,
            idempotency_key: request.idempotency_key.clone(),
            action_type: request.action_type.clone(),
            per_stakeholder,
            stakeholders: request.stakeholders.iter().map(|s| s.partner_user_id.clone()).collect(),
            metadata: request.metadata.clone(),
            reversed: false,
        },
    );
    drop(inner);
    tracing::info!(action = %action_id, partner = partner.slug, tokens = total, "action completed");

    let data = json!({
        "actionId": action_id,
        "idempotencyKey": request.idempotency_key,
        "actionType": request.action_type,
        "status": "COMPLETED",
        "amount": request.amount,
        "currency": request.currency,
        "tokensDistributed": total,
        "transactionIds": transaction_ids,
        "stakeholders": credited,
        "metadata": request.metadata,
    });
    webhooks::emit(&state, partner.id, webhooks::ACTION_COMPLETED, data);
    if fell_low {
        announce_low_pool(&state, partner.id, pool - total);
    }
    Ok((StatusCode::CREATED, Json(response)).into_response())
}

/// Sends `token_pool.low_balance`: `{"poolBalance", "threshold"}`.
pub fn announce_low_pool(state: &AppState, partner_id: &str, balance: u64) {
    let threshold = state.config.pool_low_threshold;
    tracing::info!(partner = partner_id, balance, threshold, "token pool low");
    let data = json!({"poolBalance": balance, "threshold": threshold, "currency": "SIR"});
    webhooks::emit(state, partner_id, webhooks::TOKEN_POOL_LOW_BALANCE, data);
}

/// Reverses a completed action, as SIR does on a refund: each stakeholder loses what it
/// earned (not below 0), the pool gets the tokens back, and `action.reversed` is sent.
/// Returns the event's `data`.
pub fn reverse(state: &AppState, action_id: &str, reason: &str) -> Result<Value, ApiError> {
    let mut inner = state.lock();
    let credit = inner
        .ledger
        .credits
        .get_mut(action_id)
        .ok_or_else(|| ApiError::not_found(ErrorCode::ActionNotFound, format!("No action {action_id:?}")))?;
    if credit.reversed {
        return Err(ApiError::new(StatusCode::CONFLICT, ErrorCode::AlreadyReversed, "This action is already reversed"));
    }
    credit.reversed = true;
    let credit = credit.clone();
    let total = credit.per_stakeholder * credit.stakeholders.len() as u64;
    for user_id in &credit.stakeholders {
        if let Some(user) = inner.ledger.users.get_mut(&(credit.partner_id, user_id.clone())) {
            user.balance = user.balance.saturating_sub(credit.per_stakeholder);
        }
    }
    let pool = inner.ledger.pool(credit.partner_id);
    inner.ledger.set_pool(credit.partner_id, pool + total);
    drop(inner);
    let data = json!({
        "actionId": action_id,
        "idempotencyKey": credit.idempotency_key,
        "actionType": credit.action_type,
        "status": "REVERSED",
        "reason": reason,
        "tokensReversed": total,
        "stakeholders": credit.stakeholders.iter().map(|id| json!({"partnerUserId": id, "tokens": credit.per_stakeholder})).collect::<Vec<_>>(),
        "metadata": credit.metadata,
    });
    tracing::info!(action = action_id, tokens = total, "action reversed");
    webhooks::emit(state, credit.partner_id, webhooks::ACTION_REVERSED, data.clone());
    Ok(data)
}

/// Decision: the docs name the endpoint ("user's SIR balance") but not its shape; it
/// is `{"externalId", "balance", "currency": "SIR"}`, `balance` a whole number of tokens.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Balance {
    pub external_id: String,
    pub balance: u64,
    pub currency: &'static str,
}

/// `GET /v1/partner/users/{externalId}/balance`. A user exists once an action credited
/// them (with `autoCreateUsers`); anyone else is a 404 `USER_NOT_FOUND`.
pub async fn balance(
    State(state): State<AppState>,
    Extension(AuthedPartner(partner)): Extension<AuthedPartner>,
    Path(external_id): Path<String>,
) -> Result<Json<Balance>, ApiError> {
    let inner = state.lock();
    let user = inner.ledger.user(partner.id, &external_id).ok_or_else(|| {
        ApiError::not_found(ErrorCode::UserNotFound, format!("No user with externalId {external_id:?}"))
    })?;
    Ok(Json(Balance { balance: user.balance, external_id, currency: "SIR" }))
}

impl ActionRequest {
    fn validate(body: &Map<String, Value>) -> Result<Self, ApiError> {
        let get = |name: &str| body.get(name).filter(|value| !value.is_null());
        let idempotency_key = get("idempotencyKey")
            .and_then(Value::as_str)
            .filter(|key| !key.is_empty() && key.chars().count() <= MAX_KEY_CHARS)
            .ok_or_else(|| {
                ApiError::bad_request(
                    ErrorCode::InvalidIdempotencyKey,
                    format!("idempotencyKey is required: a string of 1 to {MAX_KEY_CHARS} characters, one per real-world event"),
                )
            })?
            .to_owned();
        // Decision: the docs give examples (PURCHASE, DONATION, VOLUNTEER), not a closed
        // list, so any upper-case code is accepted.
        let action_type = get("actionType")
            .and_then(Value::as_str)
            .filter(|t| {
                (1..=64).contains(&t.len())
                    && t.starts_with(|c: char| c.is_ascii_uppercase())
                    && t.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
            })
            .ok_or_else(|| {
                ApiError::bad_request(
                    ErrorCode::InvalidActionType,
                    "actionType is required: an upper-case code such as PURCHASE, DONATION or VOLUNTEER",
                )
            })?
            .to_owned();
        // Decision: amount is optional (a VOLUNTEER action may have none; it earns the minimum).
        let amount = match get("amount") {
            None => 0.0,
            Some(value) => {
                value.as_f64().filter(|a| a.is_finite() && (0.0..=MAX_ACTION_AMOUNT).contains(a)).ok_or_else(|| {
                    ApiError::bad_request(
                        ErrorCode::InvalidAmount,
                        "amount must be a number of major units (e.g. 49.99), 0 to 1000000",
                    )
                })?
            }
        };
        let currency = match get("currency") {
            None => "USD",
            Some(value) => {
                value.as_str().and_then(|c| CURRENCIES.into_iter().find(|known| *known == c)).ok_or_else(|| {
                    ApiError::bad_request(
                        ErrorCode::InvalidCurrency,
                        format!("currency must be one of {}", CURRENCIES.join(", ")),
                    )
                })?
            }
        };
        let stakeholders = match get("stakeholders") {
            Some(Value::Array(items)) if (1..=MAX_STAKEHOLDERS).contains(&items.len()) => {
                items.iter().enumerate().map(|(i, item)| stakeholder(i, item)).collect::<Result<Vec<_>, _>>()?
            }
            _ => {
                return Err(ApiError::bad_request(
                    ErrorCode::InvalidStakeholders,
                    format!("stakeholders is required: 1 to {MAX_STAKEHOLDERS} objects with a partnerUserId"),
                ));
            }
        };
        for (i, s) in stakeholders.iter().enumerate() {
            if stakeholders[..i].iter().any(|other| other.partner_user_id == s.partner_user_id) {
                return Err(ApiError::bad_request(
                    ErrorCode::InvalidStakeholders,
                    format!("stakeholders[{i}]: partnerUserId {:?} appears twice", s.partner_user_id),
                ));
            }
        }
        // Decision: the docs don't give a default; false is the safe one (no silent user creation).
        let auto_create_users = match get("autoCreateUsers") {
            None => false,
            Some(Value::Bool(auto)) => *auto,
            Some(_) => return Err(ApiError::bad_request(ErrorCode::InvalidBody, "autoCreateUsers must be a boolean")),
        };
        let metadata = match get("metadata") {
            None => None,
            Some(Value::Object(object)) if Value::Object(object.clone()).to_string().len() <= 16 * 1024 => {
                Some(object.clone())
            }
            Some(_) => {
                return Err(ApiError::bad_request(
                    ErrorCode::InvalidMetadata,
                    "metadata must be a JSON object under 16 KiB",
                ));
            }
        };
        Ok(Self { idempotency_key, action_type, amount, currency, stakeholders, auto_create_users, metadata })
    }
}

fn stakeholder(index: usize, item: &Value) -> Result<Stakeholder, ApiError> {
    let invalid = |message: String| {
        ApiError::bad_request(ErrorCode::InvalidStakeholders, format!("stakeholders[{index}]: {message}"))
    };
    let object = item.as_object().ok_or_else(|| invalid("must be an object".to_owned()))?;
    let text = |name: &str, max: usize| -> Result<Option<String>, ApiError> {
        match object.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.chars().count() <= max => Ok(Some(s.clone())),
            Some(_) => Err(invalid(format!("{name} must be a string of at most {max} characters"))),
        }
    };
    let partner_user_id = text("partnerUserId", MAX_USER_ID_CHARS)?
        .filter(|id| !id.is_empty() && !id.chars().any(|c| c.is_control() || c.is_whitespace()))
        .ok_or_else(|| invalid("partnerUserId is required: your own id for the user, without spaces".to_owned()))?;
    let email = text("userEmail", 254)?;
    if email.as_deref().is_some_and(|email| !sir_server_kit::well_formed_email(email)) {
        return Err(invalid("userEmail must be a well-formed email address".to_owned()));
    }
    Ok(Stakeholder {
        // Decision: CUSTOMER (the docs' example) when absent.
        type_code: text("stakeholderTypeCode", 64)?.unwrap_or_else(|| "CUSTOMER".to_owned()),
        partner_user_id,
        email,
        first_name: text("userFirstName", MAX_NAME_CHARS)?,
        last_name: text("userLastName", MAX_NAME_CHARS)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_token_per_whole_unit_at_least_one() {
        assert_eq!(reward_per_stakeholder(25.0), 25);
        assert_eq!(reward_per_stakeholder(49.99), 49);
        assert_eq!(reward_per_stakeholder(0.5), 1);
        assert_eq!(reward_per_stakeholder(0.0), 1);
    }
}
