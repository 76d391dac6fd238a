//! Leptos's render of the real `DonationWidget` for one set of options, with the values the
//! loader varies turned into slots.

use std::rc::Rc;

use leptos::prelude::*;
use sir_donate::api::fake::FakeSirApi;
use sir_donate::api::storage::MemoryStorage;
use sir_donate::api::{Organization, PartnerConfig, TipConfig};
use sir_donate::components::DonationWidget;
use sir_donate::domain::{RawOptions, WidgetOptions, tip_minor};
use sir_donate::state::{CheckoutPlace, Seams, WidgetEvent, WidgetHost, WidgetState};

pub const MODES: [&str; 2] = ["inline", "button"];
/// The languages with their own copy (`i18n::messages`); any other locale reads English.
pub const LANGUAGES: [&str; 2] = ["en", "fr"];

/// The structural choices, each a dimension of values the loader picks by index
/// (js/src/first-view.js keeps the same order).
pub const DIMENSIONS: [&[&str]; 5] = [
    &["test key", "live key"],
    &[
        "1 preset",
        "2 presets",
        "3 presets",
        "4 presets",
        "5 presets",
        "6 presets",
        "7 presets",
        "8 presets",
        "locked amount",
    ],
    &["once", "monthly", "locked once", "locked monthly"],
    &["none required", "email required", "name required", "email and name required"],
    &["default label", "custom label"],
];
pub const MAX_PRESETS: usize = 8;

/// Rendered as the default amount, whose formatted text becomes `{{total}}`.
const TOTAL_MAJOR: u64 = 777;
/// Rendered as the config's tip percent: `{{tip-percent}}`, and its amount `{{tip}}`.
const TIP_PERCENT: u32 = 77;
const LABEL_SENTINEL: &str = "SDLABELSLOT";
const ORG_NAME_SENTINEL: &str = "SDORGNAMESLOT";
const ORG_EIN_SENTINEL: &str = "SDORGEINSLOT";
const ORG_LOGO_SENTINEL: &str = "https://sd-first-view.invalid/logo.png";

/// One value for every dimension, in one mode and language.
#[derive(Clone, Debug)]
pub struct Choice {
    pub mode: &'static str,
    pub language: &'static str,
    pub values: Vec<usize>,
}

impl Choice {
    pub fn base(mode: &'static str, language: &'static str) -> Self {
        Self { mode, language, values: vec![0; DIMENSIONS.len()] }
    }

    pub fn with(&self, dimension: usize, value: usize) -> Self {
        let mut choice = self.clone();
        choice.values[dimension] = value;
        choice
    }

    /// Every combination of every dimension's values.
    pub fn every(mode: &'static str, language: &'static str) -> Vec<Choice> {
        let mut all = vec![Self::base(mode, language)];
        for (dimension, values) in DIMENSIONS.iter().enumerate() {
            all = all
                .iter()
                .flat_map(|choice| (0..values.len()).map(move |value| choice.with(dimension, value)))
                .collect();
        }
        all
    }

    fn pairs(&self) -> Vec<(String, String)> {
        let mut pairs =
            vec![("mode".to_owned(), self.mode.to_owned()), ("locale".to_owned(), self.language.to_owned())];
        let mut set = |name: &str, value: String| pairs.push((name.to_owned(), value));
        set("key", if self.values[0] == 0 { "pk_test_firstview" } else { "pk_live_firstview" }.to_owned());
        set("amount", TOTAL_MAJOR.to_string());
        match self.values[1] {
            presets if presets < MAX_PRESETS => {
                set("amounts", (1..=presets + 1).map(|major| major.to_string()).collect::<Vec<_>>().join(","));
            }
            _ => set("lockAmount", "true".to_owned()),
        }
        let frequency = self.values[2];
        set("frequency", if frequency.is_multiple_of(2) { "once" } else { "monthly" }.to_owned());
        if frequency >= 2 {
            set("lockFrequency", "true".to_owned());
        }
        let required = ["", "email", "name", "email,name"][self.values[3]];
        if !required.is_empty() {
            set("requiredFields", required.to_owned());
        }
        if self.values[4] == 1 {
            set("label", LABEL_SENTINEL.to_owned());
        }
        pairs
    }
}

/// The render of `choice`, slots in place.
pub fn render_choice(choice: &Choice) -> String {
    slots(&render_pairs(&choice.pairs(), Answers::default()).unwrap_or_else(|error| panic!("{choice:?}: {error}")))
}

/// Which parts of a loaded nonprofit's header exist: the loader picks by what the API sent.
#[derive(Clone, Copy, Debug)]
pub struct OrgShape {
    pub logo: bool,
    pub ein: bool,
}

impl OrgShape {
    /// Indexed by `logo * 2 + ein` in the loader.
    pub const ALL: [OrgShape; 4] = [
        OrgShape { logo: false, ein: false },
        OrgShape { logo: false, ein: true },
        OrgShape { logo: true, ein: false },
        OrgShape { logo: true, ein: true },
    ];
}

/// The tip (`.sd-check`), as the wasm renders it once the partner's config offers one.
pub fn tip_fragment(language: &'static str) -> String {
    let config = PartnerConfig {
        tip_config: Some(TipConfig { enabled: true, default_percent: Some(f64::from(TIP_PERCENT)) }),
        ..PartnerConfig::default()
    };
    let html = slots(
        &render_pairs(&Choice::base("inline", language).pairs(), Answers { config: Some(config), organization: None })
            .expect("base options"),
    );
    let tip = crate::regions::element_at(&html, "<label part=\"tip\" class=\"sd-check\"")
        .unwrap_or_else(|| panic!("no offered tip in {html}"));
    assert_eq!(tip.matches(&TIP_PERCENT.to_string()).count(), 1, "one percent in {tip}");
    tip.replace(&TIP_PERCENT.to_string(), "{{tip-percent}}")
}

/// The loaded nonprofit's header (`.sd-org`), as the wasm renders it once the GET answers.
pub fn organization_fragment(language: &'static str, shape: OrgShape) -> String {
    let organization = Organization {
        id: None,
        slug: None,
        name: ORG_NAME_SENTINEL.to_owned(),
        ein: shape.ein.then(|| ORG_EIN_SENTINEL.to_owned()),
        logo_url: shape.logo.then(|| ORG_LOGO_SENTINEL.to_owned()),
        status: None,
    };
    let html = slots(
        &render_pairs(
            &Choice::base("inline", language).pairs(),
            Answers { config: None, organization: Some(organization) },
        )
        .expect("base options"),
    );
    crate::regions::element_at(&html, "<div part=\"organization\" class=\"sd-org\"")
        .unwrap_or_else(|| panic!("no loaded .sd-org in {html}"))
}

/// API answers the render starts with; none for the first view itself.
#[derive(Default)]
pub struct Answers {
    pub config: Option<PartnerConfig>,
    pub organization: Option<Organization>,
}

/// Leptos's `to_html()` of the widget for these options, with these answers already in.
pub fn render_pairs(pairs: &[(String, String)], answers: Answers) -> Result<String, String> {
    let mut raw = RawOptions::new();
    raw.insert("key".into(), "pk_test_firstview".into());
    raw.insert("org".into(), "water".into());
    for (name, value) in pairs {
        raw.insert(name.clone(), value.clone());
    }
    let options = WidgetOptions::from_raw(&raw).map_err(|error| format!("{error:?}"))?;
    let options = WidgetOptions { locale: Some(options.locale.clone().unwrap_or_else(|| "en".into())), ..options };
    let owner = Owner::new();
    let html = owner.with(|| {
        let seams = Seams {
            api: Ok(Rc::new(FakeSirApi::default())),
            partner: None,
            host: Rc::new(NoHost),
            storage: Rc::new(MemoryStorage::default()),
        };
        let state = WidgetState::new(options, seams, '.');
        if let Some(organization) = answers.organization {
            state.organization.set(Ok(organization));
        }
        if let Some(config) = answers.config {
            state.config.set(Ok(config));
        }
        view! { <DonationWidget state /> }.to_html()
    });
    Ok(html)
}

/// The first view emits nothing and navigates nowhere.
struct NoHost;

impl WidgetHost for NoHost {
    fn emit(&self, _event: WidgetEvent) {}
    fn navigate(&self, _donation_link: &str) -> CheckoutPlace {
        CheckoutPlace::ThisTab
    }
}

/// Turns the rendered values the loader varies into its slots: `{{money:i}}` (preset `i`),
/// `{{total}}` (the default amount), `{{zero}}`, `{{currency}}`, `{{label}}` and the
/// nonprofit's `{{org-name}}`, `{{org-ein}}`, `{{org-logo}}`.
fn slots(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    // `i18n::format_money` renders `{{money:MINOR}}` under the `first-view` feature.
    while let Some(start) = rest.find("{{money:") {
        out.push_str(&rest[..start]);
        let after = &rest[start + "{{money:".len()..];
        let end = after.find("}}").expect("a closed money slot");
        let minor: u64 = after[..end].parse().expect("minor units");
        match minor {
            0 => out.push_str("{{zero}}"),
            m if m == tip_minor(TOTAL_MAJOR * 100, TIP_PERCENT) => out.push_str("{{tip}}"),
            m if m == TOTAL_MAJOR * 100 => out.push_str("{{total}}"),
            m if m % 100 == 0 && (1..=MAX_PRESETS as u64).contains(&(m / 100)) => {
                out.push_str(&format!("{{{{money:{}}}}}", m / 100 - 1));
            }
            other => panic!("an amount the first view does not know: {other}"),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out.replace("<!>USD<!>", "<!>{{currency}}<!>")
        .replace(LABEL_SENTINEL, "{{label}}")
        .replace(ORG_NAME_SENTINEL, "{{org-name}}")
        .replace(ORG_EIN_SENTINEL, "{{org-ein}}")
        .replace(ORG_LOGO_SENTINEL, "{{org-logo}}")
}
