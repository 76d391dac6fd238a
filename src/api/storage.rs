//! Where the widget keeps text across a page load: behind [`Storage`], beside [`SirApi`](super::SirApi),
//! so state tests swap the browser's `sessionStorage` for [`MemoryStorage`] at one point.

use std::cell::RefCell;
use std::collections::HashMap;

/// A small text store, by key. Failures are silent: a store that can't write (a privacy
/// mode, a sandboxed frame, a full quota) only means nothing persists.
pub trait Storage {
    fn get(&self, key: &str) -> Option<String>;
    fn set(&self, key: &str, value: &str);
    fn remove(&self, key: &str);
}

/// The tab's `sessionStorage`: it survives the round trip to the hosted checkout and a
/// reload, in the same tab only.
pub struct SessionStorage;

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

impl Storage for SessionStorage {
    fn get(&self, key: &str) -> Option<String> {
        session_storage()?.get_item(key).ok().flatten()
    }

    fn set(&self, key: &str, value: &str) {
        if let Some(storage) = session_storage() {
            let _ = storage.set_item(key, value);
        }
    }

    fn remove(&self, key: &str) {
        if let Some(storage) = session_storage() {
            let _ = storage.remove_item(key);
        }
    }
}

/// An in-memory store, for tests: each widget state gets its own, so tests share nothing.
#[derive(Default)]
pub struct MemoryStorage(RefCell<HashMap<String, String>>);

impl Storage for MemoryStorage {
    fn get(&self, key: &str) -> Option<String> {
        self.0.borrow().get(key).cloned()
    }

    fn set(&self, key: &str, value: &str) {
        self.0.borrow_mut().insert(key.to_owned(), value.to_owned());
    }

    fn remove(&self, key: &str) {
        self.0.borrow_mut().remove(key);
    }
}
