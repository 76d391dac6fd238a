use leptos::prelude::*;

use super::{use_messages, use_state};
use crate::domain::check_https_or_loopback;

/// The nonprofit being given to: logo, name and EIN.
#[component]
pub fn OrganizationHeader() -> impl IntoView {
    let state = use_state();
    let text = use_messages();
    move || {
        match state.organization.get() {
        None => view! { <div class="sd-org sd-org--loading" aria-busy="true">{text.loading}</div> }.into_any(),
        Some(Ok(org)) => {
            // The logo URL comes from the API: only https (or the local sandbox) is loaded.
            let logo = org.logo_url.filter(|url| check_https_or_loopback(url).is_ok());
            view! {
                <div class="sd-org" part="organization">
                    {logo.map(|src| view! { <img class="sd-org__logo" src=src alt="" width="48" height="48" /> })}
                    <div class="sd-org__text">
                        <p class="sd-org__name">{org.name}</p>
                        {org.ein.map(|ein| view! { <p class="sd-org__ein">{text.ein} " " {ein}</p> })}
                    </div>
                </div>
            }
            .into_any()
        }
        // A transient failure (already retried by the client): offer another try.
        // Permanent ones are shown by the form's blocking message.
        Some(Err(error)) if error.retryable() => view! {
            <div class="sd-alert" role="alert" part="error">
                <p class="sd-alert__text">{(text.error)(&error)}</p>
                <button type="button" class="sd-submit sd-submit--secondary" on:click=move |_| state.organization.refetch()>
                    {text.try_again}
                </button>
            </div>
        }
        .into_any(),
        Some(Err(_)) => ().into_any(),
    }
    }
}
