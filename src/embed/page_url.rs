//! What the widget reads of the page's URL (attribution, `url-prefill`), and bringing the
//! form to the donor. The rules are the domain's; this only reads and moves the page.

use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, UrlSearchParams};

use crate::domain::{
    ATTRIBUTION_PARAMS, Attribution, PREFILL_AMOUNT, PREFILL_FREQUENCY, PREFILL_ORG, Prefill, WidgetOptions,
};

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
pub fn prefill(options: &WidgetOptions) -> (Prefill, Vec<String>) {
    let (pairs, fragment) = read(&[PREFILL_AMOUNT, PREFILL_FREQUENCY, PREFILL_ORG]);
    Prefill::from_url(pairs.iter().map(|(name, value)| (*name, value.as_str())), &fragment, options)
}

/// Button mode: opens the dialog (through its button, as a click would). Inline: scrolls the
/// form into view and focuses the amount (the chosen preset, the typed amount, or Donate).
pub fn bring_to_donor(host: &HtmlElement, button_mode: bool) {
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
    let custom = find("#sd-custom-amount")
        .filter(|input| input.dyn_ref::<web_sys::HtmlInputElement>().is_some_and(|input| !input.value().is_empty()));
    let target = find("input[name=sd-amount]:checked").or(custom).or_else(|| find("[part~=submit]"));
    if let Some(target) = target {
        let _ = target.focus();
    }
}
