//! The settings of the contrib modules, kept in the core's [`Settings`] without the core
//! knowing their types: one value per type, as `http::Extensions` keeps request data.
//!
//! A contrib module declares its settings struct a [`SettingsExtension`] (with the default
//! Django gives it) and adds accessors to [`Settings`]; an app changes them before building
//! its [`AppState`](super::AppState):
//!
//! ```
//! use rest_framework::settings::{Settings, SettingsExtension};
//!
//! /// A battery's settings (its `settings.py` block).
//! #[derive(Clone)]
//! struct GreetingSettings {
//!     greeting: String,
//! }
//!
//! impl SettingsExtension for GreetingSettings {
//!     fn default_for(_settings: &Settings) -> Self {
//!         GreetingSettings { greeting: "Hello".into() }
//!     }
//! }
//!
//! let mut settings = Settings::new("secret");
//! assert_eq!(settings.extension::<GreetingSettings>().greeting, "Hello");
//! settings.extension_mut::<GreetingSettings>().greeting = "Bonjour".into();
//! assert_eq!(settings.extension::<GreetingSettings>().greeting, "Bonjour");
//! ```

use super::Settings;
use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

/// A settings struct of a contrib module (or of an app), kept in [`Settings::extensions`].
pub trait SettingsExtension: Clone + Send + Sync + 'static {
    /// The value used until the app sets one. It may read the core settings (simplejwt's
    /// signing key defaults to `SECRET_KEY`).
    fn default_for(settings: &Settings) -> Self;
}

type Value = Arc<dyn Any + Send + Sync>;

/// The values of [`SettingsExtension`] types, by type. A value is made from its default the
/// first time it is read.
#[derive(Default)]
pub struct Extensions {
    values: RwLock<HashMap<TypeId, Value>>,
}

impl Clone for Extensions {
    fn clone(&self) -> Self {
        let values = self.values.read().unwrap_or_else(PoisonError::into_inner);
        Extensions {
            values: RwLock::new(values.clone()),
        }
    }
}

impl std::fmt::Debug for Extensions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let values = self.values.read().unwrap_or_else(PoisonError::into_inner);
        f.debug_struct("Extensions")
            .field("len", &values.len())
            .finish()
    }
}

impl Settings {
    /// The settings of type `T` (its default until the app sets them).
    pub fn extension<T: SettingsExtension>(&self) -> Arc<T> {
        let id = TypeId::of::<T>();
        let stored = self
            .extensions
            .values
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&id)
            .cloned();
        let value = match stored {
            Some(value) => value,
            None => {
                // Made outside the lock: `default_for` may read other extensions.
                let default: Value = Arc::new(T::default_for(self));
                let mut values = self
                    .extensions
                    .values
                    .write()
                    .unwrap_or_else(PoisonError::into_inner);
                values.entry(id).or_insert(default).clone()
            }
        };
        match value.downcast::<T>() {
            Ok(value) => value,
            // Entries are stored under their own type's id, so this is not reached.
            Err(_) => Arc::new(T::default_for(self)),
        }
    }

    /// The settings of type `T`, to change them (its default first, when unset). Meant for
    /// setting up: a value shared with a clone of these settings is copied first.
    pub fn extension_mut<T: SettingsExtension>(&mut self) -> &mut T {
        let id = TypeId::of::<T>();
        let mut value = self.extension::<T>();
        let values = self
            .extensions
            .values
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner);
        // Without the stored handle, `make_mut` copies only a value a clone shares.
        values.remove(&id);
        Arc::make_mut(&mut value);
        values.insert(id, value);
        values
            .get_mut(&id)
            .and_then(Arc::get_mut)
            .and_then(|value| value.downcast_mut::<T>())
            .expect("the value was just stored, unique, under its type's id")
    }

    /// Sets the settings of type `T`.
    pub fn set_extension<T: SettingsExtension>(&mut self, value: T) {
        self.extensions
            .values
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(TypeId::of::<T>(), Arc::new(value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Debug, PartialEq)]
    struct Key(Vec<u8>);

    impl SettingsExtension for Key {
        fn default_for(settings: &Settings) -> Self {
            Key(settings.secret_key.clone())
        }
    }

    #[test]
    fn defaults_read_the_core_settings() {
        let settings = Settings::new("s3cret");
        assert_eq!(*settings.extension::<Key>(), Key(b"s3cret".to_vec()));
    }

    #[test]
    fn a_clone_keeps_its_own_values() {
        let mut settings = Settings::new("a");
        settings.extension_mut::<Key>().0 = b"first".to_vec();
        let mut copy = settings.clone();
        copy.extension_mut::<Key>().0 = b"second".to_vec();
        assert_eq!(settings.extension::<Key>().0, b"first");
        assert_eq!(copy.extension::<Key>().0, b"second");
        copy.set_extension(Key(b"third".to_vec()));
        assert_eq!(copy.extension::<Key>().0, b"third");
    }
}
