//! Views that the release build loads from their own wasm chunks.
//!
//! A function marked `#[cfg_attr(feature = "split", lazy)]` (Leptos's `#[lazy]`) moves, with
//! everything only it uses, into a chunk that `make build` splits off with wasm-split-cli. It
//! must be non-generic and return [`AnyView`]. With the `split` feature the call is async and
//! first loads the chunk; without it (tests, lints, `trunk build`) it is a plain call.
//!
//! [`deferred`] shows such a view once its chunk is there. It is a signal and a task, not
//! `Suspend`: that would bring Suspense's subscriber and abort machinery into the main module
//! for the same effect.

#[cfg(feature = "split")]
use leptos::prelude::*;

/// The view of a split function call: `split_view!(nonprofit_chooser(state))`.
macro_rules! split_view {
    ($call:expr) => {{
        #[cfg(feature = "split")]
        let view = $crate::components::split::deferred(async move { $call.await });
        #[cfg(not(feature = "split"))]
        let view = $call;
        view
    }};
}
pub(crate) use split_view;

/// Nothing until `view` resolves, then its view. The task ends with the owner: a widget
/// destroyed while the chunk loads renders nothing.
#[cfg(feature = "split")]
pub fn deferred(view: impl Future<Output = AnyView> + 'static) -> AnyView {
    shown_when_loaded(Box::pin(view))
}

/// Boxed: one copy of the task and its cancellation for every split view, not one per view
/// (about 3 KB raw each).
#[cfg(feature = "split")]
fn shown_when_loaded(view: std::pin::Pin<Box<dyn Future<Output = AnyView>>>) -> AnyView {
    let slot = StoredValue::new_local(None::<AnyView>);
    let arrived = Trigger::new();
    leptos::task::spawn_local_scoped_with_cancellation(async move {
        let loaded = view.await;
        slot.set_value(Some(loaded));
        arrived.notify();
    });
    // Runs once before the chunk arrives (nothing) and once after (the view).
    (move || {
        arrived.track();
        slot.try_update_value(Option::take).flatten()
    })
    .into_any()
}
