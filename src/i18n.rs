//! Donor-facing text and number formatting.
//!
//! All copy comes from one [`Messages`] table per locale, error messages included (`ApiError`'s
//! `Display` is for developers and logs); amounts are formatted by the browser's
//! `Intl.NumberFormat`, so no float formatting code ships in the wasm.

use std::cell::RefCell;

use js_sys::{Array, Function, Intl, Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::api::ApiError;
use crate::domain::{AmountError, Currency, DonationStatus, Frequency};

/// One locale's copy: every string the donor reads, in one table per language.
pub struct Messages {
    pub loading: &'static str,
    pub amount_legend: &'static str,
    pub other_amount: &'static str,
    pub frequency_legend: &'static str,
    pub once: &'static str,
    pub monthly: &'static str,
    pub email: &'static str,
    pub first_name: &'static str,
    pub last_name: &'static str,
    pub optional: &'static str,
    pub ein: &'static str,
    pub donate: &'static str,
    pub creating_link: &'static str,
    pub redirecting: &'static str,
    pub email_invalid: &'static str,
    pub email_required: &'static str,
    pub first_name_required: &'static str,
    pub last_name_required: &'static str,
    pub fixed_amount: &'static str,
    pub donate_again: &'static str,
    pub try_again: &'static str,
    pub secure_note: &'static str,
    /// The badge a `pk_test_` key shows, so nobody mistakes a test widget for a live one.
    pub test_mode: &'static str,
    pub nonprofit_legend: &'static str,
    pub other_window: &'static str,
    pub popup_blocked: &'static str,
    pub open_checkout: &'static str,
    pub close: &'static str,
    /// Shown in the new tab or popup opened in the donor's click, until the checkout link arrives.
    pub checkout_loading: &'static str,
    /// "Add a 10% tip ($2.50) to support the platform".
    pub tip_label: fn(u32, &str) -> String,
    /// "Donate $25" / "Donate $25.50 monthly": exactly what will be charged.
    pub donate_label: fn(&str, Frequency) -> String,
    /// "$25 to Water.org" / "$25 monthly to Water.org".
    pub summary: fn(&str, Frequency, &str) -> String,
    pub amount_error: fn(&AmountError, u32, &str, &str) -> String,
    pub error: fn(&ApiError) -> String,
    pub status_title: fn(DonationStatus) -> &'static str,
    pub status_detail: fn(DonationStatus) -> &'static str,
    pub reward_earned: fn(u64) -> String,
    pub reward_balance: fn(u64) -> String,
    /// The partner server has not got SIR to accept the reward yet (it keeps trying).
    pub reward_pending: &'static str,
    pub reward_reversed: &'static str,
    pub reward_failed: &'static str,
    /// The goal meter's name for screen readers.
    pub goal_label: &'static str,
    /// "$3,250 raised of $5,000 · 42 donors".
    pub goal_progress: fn(&str, &str, u64) -> String,
}

pub const EN: Messages = Messages {
    loading: "Loading…",
    amount_legend: "Amount",
    other_amount: "Other amount",
    frequency_legend: "Frequency",
    once: "One-time",
    monthly: "Monthly",
    email: "Email",
    first_name: "First name",
    last_name: "Last name",
    optional: "optional",
    ein: "EIN",
    donate: "Donate",
    creating_link: "Preparing secure checkout…",
    redirecting: "Taking you to secure checkout…",
    email_invalid: "Enter an email address like name@example.com.",
    email_required: "Enter your email address.",
    first_name_required: "Enter your first name.",
    last_name_required: "Enter your last name.",
    fixed_amount: "Your donation",
    donate_again: "Make another donation",
    try_again: "Try again",
    secure_note: "You'll finish on a secure checkout page.",
    test_mode: "Test mode",
    nonprofit_legend: "Nonprofit",
    other_window: "Finish your donation in the checkout window. This updates when you're done.",
    popup_blocked: "Your browser blocked the checkout window.",
    open_checkout: "Open secure checkout",
    close: "Close",
    checkout_loading: "Loading secure checkout…",
    tip_label: |percent, amount| format!("Add a {percent}% tip ({amount}) to support the platform"),
    donate_label: |amount, frequency| match frequency {
        Frequency::Once => format!("Donate {amount}"),
        Frequency::Monthly => format!("Donate {amount} monthly"),
    },
    summary: |amount, frequency, nonprofit| match frequency {
        Frequency::Once => format!("{amount} to {nonprofit}"),
        Frequency::Monthly => format!("{amount} monthly to {nonprofit}"),
    },
    amount_error: |error, digits, min, max| match error {
        AmountError::Empty => "Enter an amount.".into(),
        AmountError::NotANumber => "Enter the amount as a number, like 25 or 25.50.".into(),
        AmountError::TooPrecise => format!("Use at most {digits} digits after the decimal point."),
        AmountError::Overflow => "That amount is too large.".into(),
        AmountError::Zero => "Enter an amount above zero.".into(),
        AmountError::BelowMinimum { .. } => format!("The minimum is {min}."),
        AmountError::AboveMaximum { .. } => format!("The maximum is {max}."),
    },
    error: |error| match error {
        ApiError::InvalidKey => {
            "This donation form isn't set up correctly (its key is not a publishable SIR key).".into()
        }
        ApiError::SecretKeyRefused => {
            "This donation form isn't set up correctly (a secret key was used where a publishable key belongs).".into()
        }
        ApiError::EnvironmentMismatch(reason) => format!("This donation form isn't set up correctly ({reason})."),
        ApiError::Unauthorized => "This donation form isn't authorized to take donations right now.".into(),
        ApiError::Forbidden => "This donation form isn't allowed to do that.".into(),
        ApiError::OrganizationNotFound => "We couldn't find this nonprofit.".into(),
        ApiError::OrganizationInactive => "This nonprofit isn't accepting donations right now.".into(),
        ApiError::DonationsDisabled => "Donations are turned off for this site right now.".into(),
        ApiError::DonationNotFound => "We couldn't find that donation.".into(),
        ApiError::InvalidRequest(detail) => format!("The donation couldn't be created: {detail}"),
        ApiError::RateLimited { retry_after_secs: Some(secs @ 1..) } => {
            format!("Lots of people are giving right now. Please try again in {secs} seconds.")
        }
        ApiError::RateLimited { .. } => "Lots of people are giving right now. Please try again.".into(),
        ApiError::ServerError { .. } => "The donation service is having trouble. Please try again in a moment.".into(),
        ApiError::Network => "We couldn't reach the donation service. Check your connection and try again.".into(),
        ApiError::Timeout => "The donation service took too long to answer. Please try again.".into(),
        ApiError::InvalidResponse => "The donation service sent an answer we couldn't read.".into(),
        ApiError::UnsafeLink => "The checkout link we received isn't safe to open, so we stopped.".into(),
        ApiError::Aborted => "The request was cancelled.".into(),
    },
    status_title: |status| match status {
        DonationStatus::Pending | DonationStatus::Processing => "Your donation is processing",
        DonationStatus::Completed => "Thank you! Your donation is complete",
        DonationStatus::Failed => "The payment didn't go through",
        DonationStatus::Cancelled => "The donation was cancelled",
        DonationStatus::Expired => "The checkout link expired",
    },
    status_detail: |status| match status {
        DonationStatus::Pending | DonationStatus::Processing => {
            "If you finished checkout, this updates by itself in a few seconds."
        }
        DonationStatus::Completed => "A receipt is on its way to your inbox.",
        DonationStatus::Failed => "No money was taken. You can try again.",
        DonationStatus::Cancelled => "No money was taken.",
        DonationStatus::Expired => "No money was taken. Start again to get a fresh checkout link.",
    },
    reward_earned: |tokens| format!("You earned {tokens} SIR tokens for this donation."),
    reward_balance: |balance| format!("Your SIR balance is now {balance}."),
    reward_pending: "Your SIR tokens for this donation are on their way.",
    reward_reversed: "The SIR tokens for this donation were reversed.",
    reward_failed: "SIR tokens couldn't be added for this donation. The site has been told.",
    goal_label: "Fundraising goal",
    goal_progress: |raised, goal, donors| match donors {
        1 => format!("{raised} raised of {goal} · 1 donor"),
        _ => format!("{raised} raised of {goal} · {donors} donors"),
    },
};

pub const FR: Messages = Messages {
    loading: "Chargement…",
    amount_legend: "Montant",
    other_amount: "Autre montant",
    frequency_legend: "Fréquence",
    once: "Une fois",
    monthly: "Mensuel",
    email: "E-mail",
    first_name: "Prénom",
    last_name: "Nom",
    optional: "facultatif",
    ein: "EIN",
    donate: "Faire un don",
    creating_link: "Préparation du paiement sécurisé…",
    redirecting: "Redirection vers le paiement sécurisé…",
    email_invalid: "Saisissez une adresse e-mail comme nom@exemple.fr.",
    email_required: "Saisissez votre adresse e-mail.",
    first_name_required: "Saisissez votre prénom.",
    last_name_required: "Saisissez votre nom.",
    fixed_amount: "Votre don",
    donate_again: "Faire un autre don",
    try_again: "Réessayer",
    secure_note: "Vous finaliserez sur une page de paiement sécurisée.",
    test_mode: "Mode test",
    nonprofit_legend: "Association",
    other_window: "Finalisez votre don dans la fenêtre de paiement. Cette page se met à jour ensuite.",
    popup_blocked: "Votre navigateur a bloqué la fenêtre de paiement.",
    open_checkout: "Ouvrir le paiement sécurisé",
    close: "Fermer",
    checkout_loading: "Chargement du paiement sécurisé…",
    tip_label: |percent, amount| format!("Ajouter un pourboire de {percent} % ({amount}) pour soutenir la plateforme"),
    donate_label: |amount, frequency| match frequency {
        Frequency::Once => format!("Donner {amount}"),
        Frequency::Monthly => format!("Donner {amount} par mois"),
    },
    summary: |amount, frequency, nonprofit| match frequency {
        Frequency::Once => format!("{amount} pour {nonprofit}"),
        Frequency::Monthly => format!("{amount} par mois pour {nonprofit}"),
    },
    amount_error: |error, digits, min, max| match error {
        AmountError::Empty => "Saisissez un montant.".into(),
        AmountError::NotANumber => "Saisissez le montant en chiffres, par exemple 25 ou 25,50.".into(),
        AmountError::TooPrecise => format!("{digits} chiffres au plus après la virgule."),
        AmountError::Overflow => "Ce montant est trop élevé.".into(),
        AmountError::Zero => "Saisissez un montant supérieur à zéro.".into(),
        AmountError::BelowMinimum { .. } => format!("Le minimum est de {min}."),
        AmountError::AboveMaximum { .. } => format!("Le maximum est de {max}."),
    },
    error: |error| {
        match error {
            ApiError::InvalidKey
            | ApiError::SecretKeyRefused
            | ApiError::EnvironmentMismatch(_)
            | ApiError::Unauthorized
            | ApiError::Forbidden => "Ce formulaire de don est mal configuré.",
            ApiError::OrganizationNotFound => "Nous n'avons pas trouvé cette association.",
            ApiError::OrganizationInactive => "Cette association n'accepte pas de dons pour le moment.",
            ApiError::DonationsDisabled => "Les dons sont désactivés sur ce site pour le moment.",
            ApiError::DonationNotFound => "Nous n'avons pas trouvé ce don.",
            ApiError::InvalidRequest(_) => "Le don n'a pas pu être créé.",
            ApiError::RateLimited { .. } => "Beaucoup de personnes donnent en ce moment. Réessayez dans un instant.",
            ApiError::ServerError { .. } => "Le service de dons rencontre un problème. Réessayez dans un instant.",
            ApiError::Network => "Impossible de joindre le service de dons. Vérifiez votre connexion.",
            ApiError::Timeout => "Le service de dons a mis trop de temps à répondre. Réessayez.",
            ApiError::InvalidResponse => "Le service de dons a envoyé une réponse illisible.",
            ApiError::UnsafeLink => "Le lien de paiement reçu n'est pas sûr ; nous l'avons bloqué.",
            ApiError::Aborted => "La demande a été annulée.",
        }
        .to_owned()
    },
    status_title: |status| match status {
        DonationStatus::Pending | DonationStatus::Processing => "Votre don est en cours de traitement",
        DonationStatus::Completed => "Merci ! Votre don est confirmé",
        DonationStatus::Failed => "Le paiement n'a pas abouti",
        DonationStatus::Cancelled => "Le don a été annulé",
        DonationStatus::Expired => "Le lien de paiement a expiré",
    },
    status_detail: |status| match status {
        DonationStatus::Pending | DonationStatus::Processing => {
            "Si vous avez terminé le paiement, cette page se met à jour d'elle-même."
        }
        DonationStatus::Completed => "Un reçu vous a été envoyé par e-mail.",
        DonationStatus::Failed => "Aucun montant n'a été prélevé. Vous pouvez réessayer.",
        DonationStatus::Cancelled => "Aucun montant n'a été prélevé.",
        DonationStatus::Expired => "Aucun montant n'a été prélevé. Recommencez pour obtenir un nouveau lien.",
    },
    reward_earned: |tokens| format!("Vous avez gagné {tokens} jetons SIR pour ce don."),
    reward_balance: |balance| format!("Votre solde SIR est maintenant de {balance}."),
    reward_pending: "Vos jetons SIR pour ce don arrivent bientôt.",
    reward_reversed: "Les jetons SIR de ce don ont été annulés.",
    reward_failed: "Les jetons SIR n'ont pas pu être ajoutés pour ce don. Le site a été prévenu.",
    goal_label: "Objectif de collecte",
    goal_progress: |raised, goal, donors| match donors {
        0 | 1 => format!("{raised} collectés sur {goal} · {donors} donateur"),
        _ => format!("{raised} collectés sur {goal} · {donors} donateurs"),
    },
};

/// The table for a BCP 47 locale: French for `fr*`, English otherwise.
pub fn messages(locale: &str) -> &'static Messages {
    let language = locale.split(['-', '_']).next().unwrap_or_default().to_ascii_lowercase();
    match language.as_str() {
        "fr" => &FR,
        _ => &EN,
    }
}

/// Text direction for a locale: right-to-left for Arabic, Hebrew, Persian and Urdu.
pub fn direction(locale: &str) -> &'static str {
    let language = locale.split(['-', '_']).next().unwrap_or_default().to_ascii_lowercase();
    if matches!(language.as_str(), "ar" | "he" | "iw" | "fa" | "ur" | "yi" | "ps" | "sd" | "ug") {
        "rtl"
    } else {
        "ltr"
    }
}

/// A donor-readable message for an amount problem, with the bounds as money.
pub fn amount_error(text: &Messages, error: &AmountError, locale: &str, currency: Currency) -> String {
    let (min, max) = match error {
        AmountError::BelowMinimum { min } => (format_money(*min, currency, locale), String::new()),
        AmountError::AboveMaximum { max } => (String::new(), format_money(*max, currency, locale)),
        _ => (String::new(), String::new()),
    };
    (text.amount_error)(error, currency.minor_digits(), &min, &max)
}

/// Formats minor units as money in `locale`: whole amounts without cents, as peers show them
/// (`2500` USD → `$25`), others with theirs (`2550` → `$25.50`).
///
/// The amount reaches `Intl` as an exact decimal string, never as a float.
#[cfg(not(feature = "first-view"))]
pub fn format_money(minor: u64, currency: Currency, locale: &str) -> String {
    let digits = currency.minor_digits() as usize;
    let unit = currency.minor_per_major();
    let decimal = if digits == 0 { minor.to_string() } else { format!("{}.{:0digits$}", minor / unit, minor % unit) };
    money_format(locale, currency)
        .call1(&JsValue::UNDEFINED, &JsValue::from_str(&decimal))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| format!("{} {decimal}", currency.code()))
}

/// At build time (tools/first-view) there is no `Intl`: the amount becomes a slot the
/// loader fills with the same `Intl.NumberFormat` call.
#[cfg(feature = "first-view")]
pub fn format_money(minor: u64, _currency: Currency, _locale: &str) -> String {
    format!("{{{{money:{minor}}}}}")
}

thread_local! {
    /// The last money formatter used: creating an `Intl.NumberFormat` costs far more than
    /// formatting with one, and the widgets of a page share a locale and a currency.
    static MONEY_FORMAT: RefCell<Option<(String, Currency, Function)>> = const { RefCell::new(None) };
}

/// `Intl.NumberFormat(locale, { style: "currency", currency, trailingZeroDisplay: "stripIfInteger" })
/// .format`, cached. Every browser of the baseline knows the option; an older one shows `$25.00`.
#[cfg_attr(feature = "first-view", allow(dead_code))]
fn money_format(locale: &str, currency: Currency) -> Function {
    MONEY_FORMAT.with_borrow_mut(|cached| match cached {
        Some((cached_locale, cached_currency, format)) if cached_locale == locale && *cached_currency == currency => {
            format.clone()
        }
        _ => {
            let options = Object::new();
            let _ = Reflect::set(&options, &"style".into(), &"currency".into());
            let _ = Reflect::set(&options, &"currency".into(), &currency.code().into());
            let _ = Reflect::set(&options, &"trailingZeroDisplay".into(), &"stripIfInteger".into());
            let format = Intl::NumberFormat::new(&locales(locale), &options).format();
            *cached = Some((locale.to_owned(), currency, format.clone()));
            format
        }
    })
}

/// The locale's decimal separator (`.` or `,`), for reading what donors type.
pub fn decimal_separator(locale: &str) -> char {
    let formatter = Intl::NumberFormat::new(&locales(locale), &Object::new());
    formatter
        .format()
        .call1(&JsValue::UNDEFINED, &JsValue::from_f64(1.5))
        .ok()
        .and_then(|v| v.as_string())
        .and_then(|s| s.chars().find(|c| !c.is_ascii_digit()))
        .unwrap_or('.')
}

#[wasm_bindgen]
extern "C" {
    /// js-sys' binding does not catch the `RangeError` an invalid tag throws.
    #[wasm_bindgen(js_namespace = Intl, js_name = getCanonicalLocales, catch)]
    fn canonical_locales(tag: &str) -> Result<Array, JsValue>;
}

/// `[locale]` when it is a valid BCP 47 tag, else `[]` (the browser's default),
/// because Intl throws on an invalid tag.
fn locales(locale: &str) -> Array {
    canonical_locales(locale).unwrap_or_else(|_| Array::new())
}
