//! What a campaign adds to a donation (issue #23): the landing page's attribution, the
//! analytics target, impact lines on presets, the URL prefill, and the partner's campaign code.
//! Pure rules; embed reads the page URL and hands the parameters here.

use super::options::{AmountRules, OptionError, WidgetOptions};
use super::{Frequency, parse_amount};

/// The landing URL's parameters kept as attribution, under the partner server's names
/// (servers/partner/README.md, `POST /sir/donations`).
pub const ATTRIBUTION_PARAMS: [&str; 7] =
    ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "gclid", "fbclid"];
/// The partner server refuses a longer value (and with it the whole donation).
const ATTRIBUTION_MAX_CHARS: usize = 200;
/// An impact line is a short caption, not a paragraph.
pub const IMPACT_MAX_CHARS: usize = 120;
/// The partner server's limit on campaign codes.
const CAMPAIGN_MAX_CHARS: usize = 64;

/// The landing page's `utm_*` parameters and click ids, each one the partner server accepts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Attribution(Vec<(&'static str, String)>);

impl Attribution {
    /// The known parameters among the page URL's (decoded) query parameters; the first of a
    /// repeated name counts. A value the partner server would refuse is left out, so a
    /// stray parameter never costs the donation.
    pub fn from_params<'a>(params: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut kept: Vec<(&'static str, String)> = Vec::new();
        for (name, value) in params {
            let Some(known) = ATTRIBUTION_PARAMS.iter().find(|known| **known == name) else { continue };
            if kept.iter().all(|(seen, _)| seen != known) && attribution_value_ok(value) {
                kept.push((known, value.to_owned()));
            }
        }
        Self(kept)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn pairs(&self) -> &[(&'static str, String)] {
        &self.0
    }
}

/// The partner server's rule: 1 to 200 of what URL query values carry (no quotes, angle
/// brackets, spaces or controls), not starting with `=`, `+`, `-` or `@` (a spreadsheet
/// formula in its CSV export).
pub fn attribution_value_ok(value: &str) -> bool {
    let allowed = |b: u8| b.is_ascii_alphanumeric() || b"-._~:/+%@!$()*,;=|".contains(&b);
    (1..=ATTRIBUTION_MAX_CHARS).contains(&value.len())
        && value.bytes().all(allowed)
        && !value.starts_with(['=', '+', '-', '@'])
}

/// Where the widget's events go besides the DOM: the page's own tag manager, if asked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Analytics {
    #[default]
    Off,
    /// `window.dataLayer.push({ event, … })` (Google Tag Manager and most tag managers).
    DataLayer,
    /// `gtag("event", name, { … })` (Google Analytics 4's tag).
    Gtag,
}

impl Analytics {
    pub(super) fn parse(value: Option<&str>) -> Result<Self, OptionError> {
        match value {
            None | Some("off" | "false") => Ok(Self::Off),
            Some("datalayer") => Ok(Self::DataLayer),
            Some("gtag") => Ok(Self::Gtag),
            Some(_) => Err(OptionError::new("analytics", "must be \"datalayer\", \"gtag\" or \"off\"")),
        }
    }
}

/// `impact`: `"25: A week of clean water | 50: A month of school meals"`, amounts in major
/// units. Text only, one line each, at most [`IMPACT_MAX_CHARS`].
pub(super) fn parse_impact(text: &str, rules: &AmountRules) -> Result<Vec<(u64, String)>, OptionError> {
    // Plain messages: the option's text is short enough to find the entry at fault by eye.
    let problem = |what: &str| OptionError::new("impact", what);
    let mut lines: Vec<(u64, String)> = Vec::new();
    for entry in text.split('|').map(str::trim).filter(|entry| !entry.is_empty()) {
        let (amount, line) =
            entry.split_once(':').ok_or_else(|| problem("must be written as \"25: text | 50: text\""))?;
        let minor = parse_amount(amount.trim(), rules.currency, '.')
            .map_err(|_| problem("has an amount that isn't one like 25 or 25.50"))?;
        let line = line.trim();
        if line.is_empty() || line.chars().count() > IMPACT_MAX_CHARS || line.chars().any(char::is_control) {
            return Err(problem("text must be 1 to 120 characters on one line"));
        }
        if lines.iter().any(|(seen, _)| *seen == minor) {
            return Err(problem("names an amount twice"));
        }
        lines.push((minor, line.to_owned()));
    }
    Ok(lines)
}

/// `campaign`: 1 to 64 of `A-Z a-z 0-9 _ -`, as the partner server stores it.
pub(super) fn check_campaign(code: &str) -> Result<(), OptionError> {
    let fine =
        code.len() <= CAMPAIGN_MAX_CHARS && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if fine { Ok(()) } else { Err(OptionError::new("campaign", "must be 1 to 64 of A-Z a-z 0-9 _ -")) }
}

/// A value in major units, for a tag manager (`value: 25.5`). Float only here, where the
/// page wants a number; every amount the widget computes with stays integer.
pub fn major_units(minor: u64, currency: super::Currency) -> f64 {
    minor as f64 / currency.minor_per_major() as f64
}

/// An amount as a donor would type it in the form: `30`, `25.50` (`25,50` with a decimal comma).
pub fn plain_amount(minor: u64, currency: super::Currency, decimal_separator: char) -> String {
    let unit = currency.minor_per_major();
    let (major, fraction) = (minor / unit, minor % unit);
    if fraction == 0 {
        major.to_string()
    } else {
        format!("{major}{decimal_separator}{fraction:0width$}", width = currency.minor_digits() as usize)
    }
}

/// A choice made from outside the form: the page URL (`url-prefill`) or `handle.open()`.
/// Each value passed the same checks as the matching attribute; `None` leaves the form as is.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Prefill {
    pub amount: Option<u64>,
    pub frequency: Option<Frequency>,
    pub org: Option<String>,
    /// Open the dialog (button mode) or bring the form into view (inline).
    pub open: bool,
}

/// The URL parameters `url-prefill` reads, and the fragment that opens the form.
pub const PREFILL_AMOUNT: &str = "sd_amount";
pub const PREFILL_FREQUENCY: &str = "sd_frequency";
pub const PREFILL_ORG: &str = "sd_org";
pub const PREFILL_FRAGMENT: &str = "donate";

impl Prefill {
    /// From the page URL's query parameters and its fragment (without `#`). The form opens
    /// for `#donate` or any `sd_` parameter. A bad value is left out, with a warning for the
    /// developer's console (never an error the donor sees).
    pub fn from_url<'a>(
        params: impl IntoIterator<Item = (&'a str, &'a str)>,
        fragment: &str,
        options: &WidgetOptions,
    ) -> (Self, Vec<String>) {
        let (mut amount, mut frequency, mut org) = (None, None, None);
        for (name, value) in params {
            let slot = match name {
                PREFILL_AMOUNT => &mut amount,
                PREFILL_FREQUENCY => &mut frequency,
                PREFILL_ORG => &mut org,
                _ => continue,
            };
            slot.get_or_insert(value);
        }
        let asked = amount.is_some() || frequency.is_some() || org.is_some();
        let (mut prefill, warnings) = Self::checked(amount, frequency, org, options);
        prefill.open = asked || fragment == PREFILL_FRAGMENT;
        (prefill, warnings)
    }

    /// Each given value checked as its attribute would be; the warnings name what was left out.
    pub fn checked(
        amount: Option<&str>,
        frequency: Option<&str>,
        org: Option<&str>,
        options: &WidgetOptions,
    ) -> (Self, Vec<String>) {
        let mut warnings = Vec::new();
        let mut ignored = |name: &str, value: &str, why: &str| {
            warnings.push(format!("sir-donate: ignored {name} {value:?}: {why}"));
        };
        let mut prefill = Self::default();
        if let Some(text) = amount {
            let rules = &options.amounts;
            match parse_amount(text.trim(), rules.currency, '.').map_err(|e| e.to_string()) {
                _ if options.lock_amount => ignored(PREFILL_AMOUNT, text, "the amount is locked"),
                Ok(minor) => match rules.check(minor) {
                    Ok(minor) => prefill.amount = Some(minor),
                    Err(e) => ignored(PREFILL_AMOUNT, text, &e.to_string()),
                },
                Err(e) => ignored(PREFILL_AMOUNT, text, &e),
            }
        }
        if let Some(text) = frequency {
            match Frequency::parse(text) {
                _ if options.lock_frequency => ignored(PREFILL_FREQUENCY, text, "the frequency is locked"),
                Some(parsed) => prefill.frequency = Some(parsed),
                None => ignored(PREFILL_FREQUENCY, text, "must be \"once\" or \"monthly\""),
            }
        }
        if let Some(text) = org {
            match options.organizations.iter().find(|slug| **slug == text.trim()) {
                Some(slug) => prefill.org = Some(slug.clone()),
                None => ignored(PREFILL_ORG, text, "not one of this widget's nonprofits (org)"),
            }
        }
        (prefill, warnings)
    }
}
