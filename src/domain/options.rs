use super::campaign::{Analytics, Attribution, check_campaign, parse_impact};
use super::{AmountError, Currency, Frequency, parse_amount};

/// Preset amounts when the partner sets none: in major units of the currency.
const DEFAULT_PRESETS_MAJOR: [u64; 4] = [10, 25, 50, 100];
/// Upper bound when the partner sets none: $1,000,000 in minor units of a 2-digit currency.
const DEFAULT_MAX_MAJOR: u64 = 1_000_000;

/// The widget's settings after validation: what the partner asked for, in domain types.
#[derive(Clone, Debug, PartialEq)]
pub struct WidgetOptions {
    /// The publishable key as given; parsed (and an `sk_` refused) by the API layer.
    pub key: String,
    /// Nonprofit slugs; the first is preselected.
    pub organizations: Vec<String>,
    pub api_base: Option<String>,
    pub amounts: AmountRules,
    pub frequency: Frequency,
    pub lock_frequency: bool,
    /// Donate exactly `amounts.default`: no presets, no custom amount.
    pub lock_amount: bool,
    /// Donor fields the form requires. Default none: the hosted checkout collects
    /// what payment needs, and every required field loses donors.
    pub required: RequiredFields,
    /// BCP 47 tag; `None` follows the page's `lang`.
    pub locale: Option<String>,
    pub label: Option<String>,
    pub referral_code: Option<String>,
    /// The partner's own server (the delegation contract), for rewards and
    /// webhook-driven status.
    pub partner_endpoint: Option<String>,
    pub theme: Theme,
    pub mode: Mode,
    pub target: Target,
    /// Send the landing page's `utm_*` and click ids with the donation to the partner server.
    pub attribution: bool,
    /// The partner's campaign code, kept by the partner server with the donation and used
    /// for the goal meter's totals.
    pub campaign: Option<String>,
    pub analytics: Analytics,
    /// A short line per amount (minor units), shown under the selected one.
    pub impact: Vec<(u64, String)>,
    /// Read `#donate` and `sd_*` from the page URL once, at load.
    pub url_prefill: bool,
    /// The goal meter's target, minor units; needs `partner_endpoint`.
    pub goal: Option<u64>,
    /// Not an option: the landing page's attribution, which embed reads from the page URL when
    /// `attribution` is on and there is a partner endpoint (as it fills `locale` from the page).
    pub landing: Attribution,
}

/// How the widget presents itself.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mode {
    /// The form sits in the page.
    #[default]
    Inline,
    /// A button opens the form in a modal dialog.
    Button,
}

/// Where the donor finishes on the hosted checkout. Same tab is the docs' own example.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Target {
    #[default]
    SameTab,
    NewTab,
    Popup,
}

/// Which donor fields must be filled.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RequiredFields {
    pub email: bool,
    /// First and last name.
    pub name: bool,
}

/// A boolean option: `true`/`false`, or a bare attribute (which arrives as `""`).
fn flag(raw: &RawOptions, name: &str) -> Result<bool, OptionError> {
    match raw.get(name).map(|v| v.trim()) {
        None | Some("false") => Ok(false),
        Some("" | "true") => Ok(true),
        Some(_) => Err(OptionError::new(name, "must be true or false")),
    }
}

/// Colour scheme: `auto` follows the donor's `prefers-color-scheme`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Theme {
    #[default]
    Light,
    Dark,
    Auto,
}

impl Theme {
    pub const fn as_str(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
            Theme::Auto => "auto",
        }
    }
}

/// What amounts a donor may give, all in minor units.
#[derive(Clone, Debug, PartialEq)]
pub struct AmountRules {
    pub currency: Currency,
    pub presets: Vec<u64>,
    pub default: Option<u64>,
    pub min: u64,
    pub max: u64,
}

impl AmountRules {
    pub fn new(currency: Currency) -> Self {
        let unit = currency.minor_per_major();
        Self {
            currency,
            presets: DEFAULT_PRESETS_MAJOR.iter().map(|m| m * unit).collect(),
            default: Some(25 * unit),
            min: unit,
            max: DEFAULT_MAX_MAJOR * unit,
        }
    }

    /// The donor's custom entry, parsed and held to `min..=max`.
    ///
    /// # Errors
    /// The parse errors of [`parse_amount`], plus [`AmountError::BelowMinimum`] and
    /// [`AmountError::AboveMaximum`].
    pub fn check_entry(&self, input: &str, decimal_separator: char) -> Result<u64, AmountError> {
        let minor = parse_amount(input, self.currency, decimal_separator)?;
        self.check(minor)
    }

    /// # Errors
    /// [`AmountError::BelowMinimum`] or [`AmountError::AboveMaximum`].
    pub fn check(&self, minor: u64) -> Result<u64, AmountError> {
        if minor < self.min {
            Err(AmountError::BelowMinimum { min: self.min })
        } else if minor > self.max {
            Err(AmountError::AboveMaximum { max: self.max })
        } else {
            Ok(minor)
        }
    }
}

/// The options a partner can set, by their JS names. Attributes use the kebab-case
/// form of the same names (`api-base` for `apiBase`). A copy of js/options.json's list,
/// which js/test/options.test.mjs holds it to: add an option there first.
pub const OPTION_NAMES: [&str; 26] = [
    "key",
    "publishableKey",
    "org",
    "apiBase",
    "amounts",
    "amount",
    "min",
    "max",
    "currency",
    "locale",
    "frequency",
    "lockFrequency",
    "lockAmount",
    "requiredFields",
    "mode",
    "target",
    "label",
    "theme",
    "partnerEndpoint",
    "referralCode",
    "attribution",
    "campaign",
    "analytics",
    "impact",
    "urlPrefill",
    "goal",
];

/// A partner's option that can't be used, naming it.
#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
#[error("sir-donate: option `{option}` {problem}")]
pub struct OptionError {
    pub option: String,
    pub problem: String,
}

impl OptionError {
    pub fn new(option: &str, problem: impl Into<String>) -> Self {
        Self { option: option.to_owned(), problem: problem.into() }
    }
}

/// Options as the page gave them: every value as text (attributes are text, and
/// embed turns JS numbers and booleans into text the browser's way).
///
/// A list of pairs, not a `BTreeMap`: a page sets a handful, and the tree's code cost about
/// 5 KB raw of the first wasm module (issue #13). A name set again keeps its place.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawOptions(Vec<(String, String)>);

impl RawOptions {
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `name`, replacing the value it had.
    pub fn insert(&mut self, name: String, value: String) {
        match self.0.iter_mut().find(|(known, _)| *known == name) {
            Some(pair) => pair.1 = value,
            None => self.0.push((name, value)),
        }
    }

    pub fn get(&self, name: &str) -> Option<&String> {
        self.0.iter().find(|(known, _)| known == name).map(|(_, value)| value)
    }

    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|(name, _)| name)
    }
}

/// Another name for `key`, which frameworks can pass: React and Vue keep a `key` prop for
/// themselves and never hand it to the element.
pub const KEY_ALIAS: &str = "publishableKey";

impl RawOptions {
    /// The publishable key, given as `key` or as `publishableKey` (or both, the same).
    ///
    /// # Errors
    /// [`OptionError`] on `publishableKey` when the two name different keys.
    pub fn key(&self) -> Result<Option<&str>, OptionError> {
        let given = |name: &str| self.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
        match (given("key"), given(KEY_ALIAS)) {
            (Some(key), Some(alias)) if key != alias => {
                Err(OptionError::new(KEY_ALIAS, "names another key than `key`: set only one of them"))
            }
            (key, alias) => Ok(alias.or(key)),
        }
    }

    /// Folds `publishableKey` into `key`, so that a later change under either name replaces
    /// the key (`update()` merges the options it is given into the ones it had).
    ///
    /// # Errors
    /// As [`RawOptions::key`].
    pub fn fold_key_alias(&mut self) -> Result<(), OptionError> {
        let Some(position) = self.0.iter().position(|(name, _)| name == KEY_ALIAS) else {
            return Ok(());
        };
        let key = self.key()?.map(str::to_owned).unwrap_or_default();
        self.0.remove(position);
        self.insert("key".to_owned(), key);
        Ok(())
    }
}

impl Extend<(String, String)> for RawOptions {
    fn extend<I: IntoIterator<Item = (String, String)>>(&mut self, pairs: I) {
        for (name, value) in pairs {
            self.insert(name, value);
        }
    }
}

impl IntoIterator for RawOptions {
    type Item = (String, String);
    type IntoIter = std::vec::IntoIter<(String, String)>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl FromIterator<(String, String)> for RawOptions {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(pairs: I) -> Self {
        let mut raw = Self::new();
        raw.extend(pairs);
        raw
    }
}

impl WidgetOptions {
    /// Validates the page's options.
    ///
    /// The key is kept as given: a missing or wrong key is shown inside the widget
    /// (with an `error` event) rather than thrown, so a page never breaks on it.
    ///
    /// # Errors
    /// [`OptionError`] naming the first unknown option or bad value.
    pub fn from_raw(raw: &RawOptions) -> Result<Self, OptionError> {
        if let Some(unknown) = raw.keys().find(|name| !OPTION_NAMES.contains(&name.as_str())) {
            return Err(OptionError::new(unknown, "is not a sir-donate option"));
        }
        let get = |name: &str| raw.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
        let organizations: Vec<String> = get("org")
            .map(|v| v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect())
            .unwrap_or_default();
        if organizations.is_empty() {
            return Err(OptionError::new("org", "is required: the slug of the nonprofit, e.g. \"american-red-cross\""));
        }
        if let Some(bad) = organizations.iter().find(|slug| !is_slug(slug)) {
            return Err(OptionError::new(
                "org",
                format!("has an invalid slug {bad:?} (lowercase letters, digits and -)"),
            ));
        }
        let currency = match get("currency") {
            Some(code) => Currency::parse(code).map_err(|e| OptionError::new("currency", e.to_string()))?,
            None => Currency::USD,
        };
        let mut amounts = AmountRules::new(currency);
        // Partner amounts are written in major units with a `.` decimal point: "25.50".
        let major = |name: &str, text: &str| {
            parse_amount(text, currency, '.')
                .map_err(|e| OptionError::new(name, format!("must be an amount like 25 or 25.50 ({e})")))
        };
        if let Some(list) = get("amounts") {
            amounts.presets = list.split(',').map(|a| major("amounts", a)).collect::<Result<_, _>>()?;
        }
        if let Some(min) = get("min") {
            amounts.min = major("min", min)?;
        }
        if let Some(max) = get("max") {
            amounts.max = major("max", max)?;
        }
        if amounts.min > amounts.max {
            return Err(OptionError::new("min", "must not be above max"));
        }
        amounts.presets.retain(|p| (amounts.min..=amounts.max).contains(p));
        amounts.default = match get("amount") {
            Some(a) => Some(amounts.check(major("amount", a)?).map_err(|e| OptionError::new("amount", e.to_string()))?),
            None => amounts.presets.get(1).or(amounts.presets.first()).copied(),
        };
        let frequency = match get("frequency") {
            Some(f) => {
                Frequency::parse(f).ok_or_else(|| OptionError::new("frequency", "must be \"once\" or \"monthly\""))?
            }
            None => Frequency::Once,
        };
        let lock_frequency = flag(raw, "lockFrequency")?;
        let lock_amount = flag(raw, "lockAmount")?;
        if lock_amount && amounts.default.is_none() {
            return Err(OptionError::new("lockAmount", "needs an amount to lock: set `amount`"));
        }
        let mut required = RequiredFields::default();
        for field in get("requiredFields").unwrap_or_default().split(',').map(str::trim).filter(|f| !f.is_empty()) {
            match field {
                "email" => required.email = true,
                "name" => required.name = true,
                _ => return Err(OptionError::new("requiredFields", "lists fields from \"email\" and \"name\"")),
            }
        }
        let text = |name: &str| get(name).map(str::to_owned);
        let theme = match get("theme") {
            None | Some("light") => Theme::Light,
            Some("dark") => Theme::Dark,
            Some("auto") => Theme::Auto,
            Some(_) => return Err(OptionError::new("theme", "must be \"light\", \"dark\" or \"auto\"")),
        };
        let mode = match get("mode") {
            None | Some("inline") => Mode::Inline,
            Some("button") => Mode::Button,
            Some(_) => return Err(OptionError::new("mode", "must be \"inline\" or \"button\"")),
        };
        let target = match get("target") {
            None | Some("same-tab") => Target::SameTab,
            Some("new-tab") => Target::NewTab,
            Some("popup") => Target::Popup,
            Some(_) => return Err(OptionError::new("target", "must be \"same-tab\", \"new-tab\" or \"popup\"")),
        };
        let partner_endpoint = text("partnerEndpoint");
        if partner_endpoint.as_deref().is_some_and(|url| super::check_https_or_loopback(url).is_err()) {
            return Err(OptionError::new("partnerEndpoint", "must be an https URL (http only to localhost)"));
        }
        // On unless turned off: attribution is what the partner server is for.
        let attribution = match raw.get("attribution").map(|v| v.trim()) {
            None | Some("" | "true" | "on") => true,
            Some("false" | "off") => false,
            Some(_) => return Err(OptionError::new("attribution", "must be true or false")),
        };
        let campaign = text("campaign");
        if let Some(code) = &campaign {
            check_campaign(code)?;
        }
        let goal = match get("goal") {
            Some(_) if partner_endpoint.is_none() => {
                return Err(OptionError::new("goal", "needs partner-endpoint: the totals come from it"));
            }
            Some(goal) => Some(major("goal", goal)?).filter(|minor| *minor > 0),
            None => None,
        };
        let impact = match get("impact") {
            Some(text) => parse_impact(text, &amounts)?,
            None => Vec::new(),
        };
        Ok(Self {
            key: raw.key()?.unwrap_or_default().to_owned(),
            organizations,
            api_base: text("apiBase"),
            amounts,
            frequency,
            lock_frequency,
            lock_amount,
            required,
            locale: text("locale"),
            label: text("label"),
            referral_code: text("referralCode"),
            partner_endpoint,
            theme,
            mode,
            target,
            attribution,
            campaign,
            analytics: Analytics::parse(get("analytics"))?,
            impact,
            url_prefill: flag(raw, "urlPrefill")?,
            goal,
            landing: Attribution::default(),
        })
    }
}

fn is_slug(slug: &str) -> bool {
    slug.len() <= 100
        && slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_' || b == b'.')
}
