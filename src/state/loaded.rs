//! [`Loaded`]: a value fetched asynchronously into a signal.
//!
//! In place of Leptos's `LocalResource` and `Action`, a smaller async layer
//! (docs/decisions/2026-11-25-loaded-over-resources.md) that keeps their guarantees:
//! - the newest load wins: a changed source or a refetch cancels the load under way;
//! - a destroyed widget is never updated: its loads are cancelled with it.

use std::future::Future;
use std::pin::Pin;

use leptos::prelude::*;
use leptos::task::spawn_local_scoped_with_cancellation;

/// A value that is `None` until its first load finishes, and keeps its last value
/// while a newer load runs. `Copy`: both fields are arena handles.
pub struct Loaded<T: Send + Sync + 'static> {
    value: RwSignal<Option<T>>,
    reload: Trigger,
}

impl<T: Send + Sync + 'static> Clone for Loaded<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Loaded<T> {}

impl<T: Clone + Send + Sync + 'static> Loaded<T> {
    /// Loads with `fetch` now, and again whenever a signal it reads (before its first
    /// `.await`) changes.
    pub fn new<Fut: Future<Output = T> + 'static>(fetch: impl Fn() -> Fut + 'static) -> Self {
        let value = RwSignal::new(None);
        let reload = Trigger::new();
        // Each run of an effect cleans up the one before, which cancels its load.
        Effect::new(move |_| {
            reload.track();
            let load = fetch();
            // Boxed: one copy of the task machinery for every `Loaded`, not one per future
            // type (about 2.6 KB raw each, measured with twiggy).
            let task: Pin<Box<dyn Future<Output = ()>>> = Box::pin(async move {
                let loaded = load.await;
                value.try_set(Some(loaded));
            });
            spawn_local_scoped_with_cancellation(task);
        });
        Self { value, reload }
    }

    /// The value, tracked.
    pub fn get(&self) -> Option<T> {
        self.value.get()
    }

    pub fn get_untracked(&self) -> Option<T> {
        self.value.get_untracked()
    }

    /// A value known before any load: the build-time first view renders a loaded nonprofit.
    pub fn set(&self, value: T) {
        self.value.set(Some(value));
    }

    /// Loads again, as after a transient failure.
    pub fn refetch(&self) {
        self.reload.notify();
    }
}
