//! Prints the widget's first view as Leptos renders it, for one set of options:
//! `first-view key=pk_test_x organizations=water mode=button locale=fr …`.

use std::rc::Rc;

use leptos::prelude::*;
use sir_donate::api::fake::FakeSirApi;
use sir_donate::api::storage::MemoryStorage;
use sir_donate::components::DonationWidget;
use sir_donate::domain::{RawOptions, WidgetOptions};
use sir_donate::state::{CheckoutPlace, Seams, WidgetEvent, WidgetHost, WidgetState};

/// The first view emits nothing and navigates nowhere.
struct NoHost;

impl WidgetHost for NoHost {
    fn emit(&self, _event: WidgetEvent) {}
    fn navigate(&self, _donation_link: &str) -> CheckoutPlace {
        CheckoutPlace::ThisTab
    }
}

fn main() {
    let mut raw = RawOptions::new();
    raw.insert("key".into(), "pk_test_firstview".into());
    raw.insert("org".into(), "water".into());
    for arg in std::env::args().skip(1) {
        let (name, value) = arg.split_once('=').unwrap_or((arg.as_str(), ""));
        raw.insert(name.to_owned(), value.to_owned());
    }
    let options = match WidgetOptions::from_raw(&raw) {
        Ok(options) => options,
        Err(error) => {
            eprintln!("bad options: {error:?}");
            std::process::exit(2);
        }
    };
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
        view! { <DonationWidget state /> }.to_html()
    });
    println!("{html}");
}
