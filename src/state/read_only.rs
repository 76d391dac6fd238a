//! [`ReadOnly`]: a signal that components can read and the state alone writes.
//!
//! Decision (issue #16): not Leptos's `signal()` halves (`ReadSignal`/`WriteSignal`). Those are
//! types of their own, so each value type gets another copy of the signal code: for the six
//! signals here the main wasm module was 4.6 KB raw, 1.7 KB gzip larger with them than with this
//! wrapper (318.0 against 313.4 KB raw, `make build` and bench/size.mjs). This wrapper is the same
//! `RwSignal` underneath (its code, inlined, is what was there before) and only narrows what the
//! rest of the crate may call.

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
