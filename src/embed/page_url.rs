//! What the widget reads of the page's URL (attribution, `url-prefill`), and bringing the
//! form to the donor. The rules are the domain's; this only reads and moves the page.

use leptos::prelude::GetUntracked;
#[cfg(feature = "split")]
use leptos::prelude::lazy;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{HtmlElement, UrlSearchParams};

use crate::domain::{
    ATTRIBUTION_PARAMS, Attribution, Mode, PREFILL_AMOUNT, PREFILL_FREQUENCY, PREFILL_ORG, Prefill, RawOptions,
    WidgetOptions,
};
use crate::state::{AmountInput, WidgetState};

/// The page URL's query parameters `names` (each one's first value, decoded), and its fragment.
fn read(names: &[&'static str]) -> (Vec<(&'static str, String)>, String) {
    let Some(location) = web_sys::window().map(|window| window.location()) else { return (Vec::new(), String::new()) };
    let search = location.search().unwrap_or_default();
    let pairs = UrlSearchParams::new_with_str(&search)
        .map(|params| names.iter().filter_map(|name| Some((*name, params.get(name)?))).collect())
        .unwrap_or_default();
    let fragment = location.hash().unwrap_or_default().trim_start_matches('#').to_owned();
    (pairs, fragment)
}

/// The landing page's `utm_*` parameters and click ids that the partner server accepts.
pub fn attribution() -> Attribution {
    let (pairs, _) = read(&ATTRIBUTION_PARAMS);
    Attribution::from_params(pairs.iter().map(|(name, value)| (*name, value.as_str())))
}

/// `url-prefill`: `#donate`, `sd_amount`, `sd_frequency`, `sd_org`, checked against the options.
fn url_prefill(options: &WidgetOptions) -> (Prefill, Vec<String>) {
    let (pairs, fragment) = read(&[PREFILL_AMOUNT, PREFILL_FREQUENCY, PREFILL_ORG]);
    Prefill::from_url(pairs.iter().map(|(name, value)| (*name, value.as_str())), &fragment, options)
}

/// `handle.open(choice)`, or `url-prefill` without one: the checked choice goes into the form,
/// a bad value into a `console.warn`, and the form to the donor. In its own chunk (`split`).
#[cfg_attr(feature = "split", lazy)]
pub async fn prefill_step(host: HtmlElement, state: WidgetState, decimal_separator: char, choice: Option<RawOptions>) {
    let checked = state.options.try_with_untracked(|options| {
        let (prefill, warnings) = match &choice {
            None => url_prefill(options),
            Some(choice) => {
                let field = |name: &str| choice.get(name).map(String::as_str);
                let (prefill, warnings) = Prefill::checked(field("amount"), field("frequency"), field("org"), options);
                (Prefill { open: true, ..prefill }, warnings)
            }
        };
        (prefill, warnings, options.mode == Mode::Button)
    });
    let Some((prefill, warnings, button_mode)) = checked else { return };
    for warning in warnings {
        web_sys::console::warn_1(&JsValue::from_str(&warning));
    }
    state.prefill(&prefill, decimal_separator);
    if prefill.open {
        // After the prefill reached the DOM (render effects run as a microtask), so that the
        // amount focused is the prefilled one.
        gloo_timers::future::TimeoutFuture::new(0).await;
        let typed = matches!(state.inputs.amount.get_untracked(), AmountInput::Custom(_));
        bring_to_donor(&host, button_mode, typed);
    }
}

/// Button mode: opens the dialog (through its button, as a click would). Inline: scrolls the
/// form into view and focuses the amount (the chosen preset, the typed amount, or Donate).
fn bring_to_donor(host: &HtmlElement, button_mode: bool, typed_amount: bool) {
    let Some(root) = host.shadow_root() else { return };
    let find = |selector: &str| {
        root.query_selector(selector).ok().flatten().and_then(|element| element.dyn_into::<HtmlElement>().ok())
    };
    if button_mode {
        if let Some(open) = find("[part~=open-button]") {
            open.click();
        }
        return;
    }
    host.scroll_into_view();
    let amount = if typed_amount { "#sd-custom-amount" } else { "input[name=sd-amount]:checked" };
    if let Some(target) = find(amount).or_else(|| find("[part~=submit]")) {
        let _ = target.focus();
    }
}
