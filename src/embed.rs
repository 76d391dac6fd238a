//! The JavaScript boundary: the only module that touches `JsValue`.
//!
//! It reads options, validates them, mounts the Leptos widget into the host
//! element's shadow root, and keeps the handle whose drop is `destroy()`.

mod analytics;
mod events;
mod options;
mod page_url;
mod reads;
mod typed;

use std::cell::Cell;
use std::rc::Rc;

use leptos::mount::mount_to;
use leptos::prelude::*;
use leptos::tachys::view::any_view::AnyViewState;
use wasm_bindgen::prelude::*;
use web_sys::{HtmlElement, ShadowRoot, ShadowRootInit, ShadowRootMode};

use crate::api::http::{HttpSirApi, StartedReads};
use crate::api::partner::PartnerClient;
use crate::api::storage::SessionStorage;
use crate::api::{ApiError, SirApi};
use crate::components::DonationWidget;
use crate::domain::{PublishableKey, RawOptions, WidgetOptions};
use crate::i18n;
use crate::state::{Seams, WidgetState};
use events::DomHost;

/// `style/widget.css`, minified by `build.rs`.
const WIDGET_CSS: &str = include_str!(concat!(env!("OUT_DIR"), "/widget.css"));

/// Mounts a widget into `host` (usually a `<sir-donate>` element).
///
/// `options` is a plain object of the documented options (see the README). `reads` are the
/// API reads the loader started for this widget (js/src/reads.js), or `null`. `typed` is what
/// the donor did in the first view the loader painted (js/src/first-view.js), or `undefined`:
/// the widget starts from it.
/// Returns the handle; dropping it or calling `destroy()` removes the widget.
///
/// # Errors
/// Throws a `SirDonateOptionError` (with `option` and `code: "invalid_option"`)
/// for an unknown option or a bad value. A bad *key* is not thrown: the widget shows
/// it and dispatches an `error` event, so a page never breaks on it.
#[wasm_bindgen]
pub fn mount(host: HtmlElement, options: JsValue, reads: JsValue, typed: JsValue) -> Result<WidgetHandle, JsValue> {
    let raw = options::read(&options)?;
    let mut handle = WidgetHandle { host, raw, mounted: None, url_read: false };
    handle.render(reads::read(&reads), typed::read(&typed))?;
    Ok(handle)
}

/// The crate version, for `SirDonate.version`.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

/// A mounted widget, returned by [`mount`].
#[wasm_bindgen]
pub struct WidgetHandle {
    host: HtmlElement,
    raw: RawOptions,
    mounted: Option<Mounted>,
    /// `url-prefill` reads the page URL once, at load: not again when `update()` remounts.
    url_read: bool,
}

/// What lives while the widget is on the page.
struct Mounted {
    /// Dropping it unmounts the view and disposes every signal, effect and resource.
    _view: UnmountHandle<AnyViewState>,
    /// Kept to cancel requests and backoffs in flight on destroy.
    api: Option<Rc<HttpSirApi>>,
    partner: Option<Rc<PartnerClient>>,
    /// The widget's state, for `open()`: set as the view is built.
    state: Rc<Cell<Option<WidgetState>>>,
    decimal_separator: char,
}

#[wasm_bindgen]
impl WidgetHandle {
    /// Applies changed options (a partial object); unset ones keep their values.
    ///
    /// # Errors
    /// The same `SirDonateOptionError` as [`mount`]; the widget then stays as it was.
    pub fn update(&mut self, options: JsValue) -> Result<(), JsValue> {
        let mut raw = self.raw.clone();
        raw.extend(options::read(&options)?);
        WidgetOptions::from_raw(&raw).map_err(options::to_js_error)?;
        self.raw = raw;
        // A changed key or host means a new session; simplest correct answer: remount.
        self.destroy();
        self.render(None, None)
    }

    /// Prefills the form and opens it: the dialog in button mode, else scrolls the form into view
    /// and focuses the amount. `choice` is `{ amount?, frequency?, org? }`, each checked as its
    /// attribute would be; a bad one is left out with a `console.warn`.
    ///
    /// # Errors
    /// A `SirDonateOptionError` when `choice` is not an object of strings and numbers.
    pub fn open(&self, choice: JsValue) -> Result<(), JsValue> {
        let choice = options::read(&choice)?;
        self.prefill(Some(choice));
        Ok(())
    }

    /// Prefills from `choice` (`open()`), or from the page URL (`url-prefill`), in a chunk of
    /// its own: a page that uses neither loads none of it.
    fn prefill(&self, choice: Option<RawOptions>) {
        let Some(mounted) = &self.mounted else { return };
        if let Some(state) = mounted.state.get() {
            let step = page_url::prefill_step(self.host.clone(), state, mounted.decimal_separator, choice);
            leptos::task::spawn_local(step);
        }
    }

    /// Removes the widget, its listeners, timers and requests. Safe to call twice.
    pub fn destroy(&mut self) {
        if let Some(mounted) = self.mounted.take() {
            if let Some(api) = &mounted.api {
                api.abort_all();
            }
            if let Some(partner) = &mounted.partner {
                partner.abort_all();
            }
            drop(mounted);
            if let Some(root) = self.host.shadow_root() {
                root.set_inner_html("");
            }
        }
    }

    fn render(&mut self, reads: Option<StartedReads>, typed: Option<typed::Typed>) -> Result<(), JsValue> {
        let options = WidgetOptions::from_raw(&self.raw).map_err(options::to_js_error)?;
        let root = shadow_root(&self.host)?;
        adopt_styles(&root);
        let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
        let container: HtmlElement = document.create_element("div")?.unchecked_into();
        container.set_class_name("sd-root");
        let locale = options.locale.clone().unwrap_or_else(|| page_locale(&document));
        container.set_attribute("lang", &locale)?;
        container.set_attribute("dir", i18n::direction(&locale))?;
        container.set_attribute("data-theme", options.theme.as_str())?;
        // Rendered before it replaces the loader's first view (or placeholder, or fallback
        // slot) in one step: the box never empties. A fresh render, not a hydration:
        // docs/decisions/2026-12-07-first-view.md.

        let landing = match options.partner_endpoint {
            Some(_) if options.attribution => page_url::attribution(),
            _ => Default::default(),
        };
        let options = WidgetOptions { locale: Some(locale.clone()), landing, ..options };
        let url_prefill = options.url_prefill;
        let http = PublishableKey::parse(&options.key)
            .map_err(ApiError::from)
            .and_then(|key| HttpSirApi::new(key, options.api_base.as_deref()))
            .map(Rc::new);
        match (&http, reads) {
            (Ok(http), Some(reads)) => http.adopt(reads),
            (Err(_), Some(reads)) => reads.controller.abort(),
            (_, None) => {}
        }
        let api = http.clone().map(|http| http as Rc<dyn SirApi>);
        // Validated as an https (or loopback) URL by the options, so this only fails
        // where the browser has no AbortController.
        let partner = options.partner_endpoint.as_deref().and_then(|url| PartnerClient::new(url).ok()).map(Rc::new);
        let partner_for_destroy = partner.clone();
        let host = Rc::new(DomHost::new(
            self.host.clone(),
            options.target,
            i18n::messages(&locale).checkout_loading,
            options.analytics,
        ));
        let separator = i18n::decimal_separator(&locale);
        let state_slot = Rc::new(Cell::new(None));
        let state_for_view = state_slot.clone();
        let app = move || {
            let seams = Seams { api, partner, host, storage: Rc::new(SessionStorage) };
            let state = WidgetState::new(options, seams, separator);
            if let Some(typed) = typed {
                typed.apply(&state);
            }
            state_for_view.set(Some(state));
            view! { <DonationWidget state /> }.into_any()
        };
        let view = mount_to(container.clone(), app);
        root.replace_children_with_node_1(&container);
        let url_prefill = url_prefill && !self.url_read;
        self.url_read = true;
        self.mounted = Some(Mounted {
            _view: view,
            api: http.ok(),
            partner: partner_for_destroy,
            state: state_slot,
            decimal_separator: separator,
        });
        if url_prefill {
            self.prefill(None);
        }
        Ok(())
    }
}

/// `free()` from JavaScript (or a drop in Rust) is a `destroy()`.
impl Drop for WidgetHandle {
    fn drop(&mut self) {
        self.destroy();
    }
}

fn shadow_root(host: &HtmlElement) -> Result<ShadowRoot, JsValue> {
    match host.shadow_root() {
        Some(root) => Ok(root),
        None => host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open)),
    }
}

thread_local! {
    /// One parsed stylesheet shared by every widget on the page.
    static STYLESHEET: Option<web_sys::CssStyleSheet> = web_sys::CssStyleSheet::new().ok().filter(|sheet| sheet.replace_sync(WIDGET_CSS).is_ok());
}

/// Constructable stylesheets: scoped to the shadow root, and allowed under a CSP
/// without `style-src 'unsafe-inline'`, unlike a `<style>` element.
fn adopt_styles(root: &ShadowRoot) {
    STYLESHEET.with(|sheet| {
        if let Some(sheet) = sheet {
            root.set_adopted_style_sheets(&js_sys::Array::of1(sheet));
        }
    });
}

/// The page's language: `<html lang>`, then the browser's, then English.
fn page_locale(document: &web_sys::Document) -> String {
    document
        .document_element()
        .map(|html| html.get_attribute("lang").unwrap_or_default())
        .filter(|lang| !lang.trim().is_empty())
        .or_else(|| web_sys::window().and_then(|w| w.navigator().language()))
        .unwrap_or_else(|| "en".to_owned())
}
