//! [`ReadOnly`]: a signal that components can read and the state alone writes.
//!
//! The same `RwSignal` underneath, narrowed to reading; not Leptos's `ReadSignal`/`WriteSignal`
//! halves, which cost a copy of the signal code per value type
//! (docs/decisions/2026-12-02-read-only-signal-wrapper.md).

use leptos::prelude::*;

pub struct ReadOnly<T: 'static>(RwSignal<T>);

impl<T: 'static> Clone for ReadOnly<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: 'static> Copy for ReadOnly<T> {}

impl<T: Send + Sync + 'static> ReadOnly<T> {
    pub(super) fn new(value: T) -> Self {
        Self(RwSignal::new(value))
    }

    /// The writable signal, for the state's own moves.
    pub(super) fn writable(self) -> RwSignal<T> {
        self.0
    }

    /// The value, tracked.
    #[inline]
    pub fn with<U>(&self, read: impl FnOnce(&T) -> U) -> U {
        self.0.with(read)
    }

    #[inline]
    pub fn with_untracked<U>(&self, read: impl FnOnce(&T) -> U) -> U {
        self.0.with_untracked(read)
    }

    /// `None` once the widget is gone.
    #[inline]
    pub fn try_with_untracked<U>(&self, read: impl FnOnce(&T) -> U) -> Option<U> {
        self.0.try_with_untracked(read)
    }
}

impl<T: Clone + Send + Sync + 'static> ReadOnly<T> {
    /// The value, tracked.
    #[inline]
    pub fn get(&self) -> T {
        self.0.get()
    }

    #[inline]
    pub fn get_untracked(&self) -> T {
        self.0.get_untracked()
    }
}
