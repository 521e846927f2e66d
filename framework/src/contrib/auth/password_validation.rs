//! Password validators (Django's `django.contrib.auth.password_validation`), with Django's
//! messages, in Django's default order: [`UserAttributeSimilarityValidator`],
//! [`MinimumLengthValidator`], [`CommonPasswordValidator`], [`NumericPasswordValidator`].
//!
//! [`validate_password`] runs a list of validators and collects every failure, as Django's
//! `validate_password` does.

use super::difflib::SequenceMatcher;
use flate2::read::GzDecoder;
use std::collections::HashSet;
use std::io::Read;
use std::sync::{Arc, LazyLock};

/// One attribute of the user a password is checked against (`first_name`, `email`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserAttribute<'a> {
    /// The model field's name (`email`).
    pub name: &'a str,
    /// The field's `verbose_name`, as messages print it (`email address`).
    pub verbose_name: &'a str,
    /// The user's value.
    pub value: &'a str,
}

/// A password validator (a class in Django's `AUTH_PASSWORD_VALIDATORS`).
pub trait PasswordValidator: Send + Sync + 'static {
    /// `Err(message)` when the password fails. `user` holds the attributes of the user the
    /// password is for, when known (Django's `user=None` otherwise).
    fn validate(&self, password: &str, user: Option<&[UserAttribute<'_>]>) -> Result<(), String>;

    /// The rule in words (`get_help_text`).
    fn help_text(&self) -> String;
}

/// Django's `validate_password`: runs every validator and returns all their messages, in
/// the validators' order.
pub fn validate_password(
    password: &str,
    user: Option<&[UserAttribute<'_>]>,
    validators: &[Arc<dyn PasswordValidator>],
) -> Result<(), Vec<String>> {
    let errors: Vec<String> = validators
        .iter()
        .filter_map(|validator| validator.validate(password, user).err())
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Django's default `AUTH_PASSWORD_VALIDATORS` (as `startproject` writes them), in order.
pub fn default_password_validators() -> Vec<Arc<dyn PasswordValidator>> {
    vec![
        Arc::new(UserAttributeSimilarityValidator::default()),
        Arc::new(MinimumLengthValidator::default()),
        Arc::new(CommonPasswordValidator),
        Arc::new(NumericPasswordValidator),
    ]
}

/// Rejects passwords too similar to the user's attributes (also to the parts of each
/// value split at non-word characters, e.g. the local part and domain of an e-mail).
#[derive(Debug, Clone)]
pub struct UserAttributeSimilarityValidator {
    /// The attribute names compared, in order (default `username`, `first_name`,
    /// `last_name`, `email`); attributes the user does not have are skipped.
    pub user_attributes: Vec<String>,
    /// The similarity (difflib's `quick_ratio`) from which a password is refused (0.7).
    pub max_similarity: f64,
}

impl Default for UserAttributeSimilarityValidator {
    fn default() -> Self {
        UserAttributeSimilarityValidator {
            user_attributes: ["username", "first_name", "last_name", "email"]
                .map(String::from)
                .to_vec(),
            max_similarity: 0.7,
        }
    }
}

/// Django's `exceeds_maximum_length_ratio`: a value much shorter than the password cannot
/// reach `max_similarity`, so the comparison is skipped.
fn exceeds_maximum_length_ratio(
    password_len: usize,
    max_similarity: f64,
    value_len: usize,
) -> bool {
    let length_bound_similarity = max_similarity / 2.0 * password_len as f64;
    password_len >= 10 * value_len && (value_len as f64) < length_bound_similarity
}

/// Python's `re.split(r"\W+", value)`: the runs of word characters (empty pieces kept).
fn split_non_word(value: &str) -> Vec<&str> {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let mut parts = Vec::new();
    let mut start = 0;
    let mut chars = value.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if !is_word(c) {
            parts.push(&value[start..i]);
            let mut end = i + c.len_utf8();
            while let Some(&(j, d)) = chars.peek() {
                if is_word(d) {
                    break;
                }
                end = j + d.len_utf8();
                chars.next();
            }
            start = end;
        }
    }
    parts.push(&value[start..]);
    parts
}

impl PasswordValidator for UserAttributeSimilarityValidator {
    fn validate(&self, password: &str, user: Option<&[UserAttribute<'_>]>) -> Result<(), String> {
        let Some(user) = user else {
            return Ok(());
        };
        let password = password.to_lowercase();
        let password_len = password.chars().count();
        for name in &self.user_attributes {
            let Some(attribute) = user.iter().find(|a| a.name == name) else {
                continue;
            };
            if attribute.value.is_empty() {
                continue;
            }
            let value = attribute.value.to_lowercase();
            let mut parts = split_non_word(&value);
            parts.push(&value);
            for part in parts {
                if exceeds_maximum_length_ratio(
                    password_len,
                    self.max_similarity,
                    part.chars().count(),
                ) {
                    continue;
                }
                if SequenceMatcher::new(&password, part).quick_ratio() >= self.max_similarity {
                    return Err(format!(
                        "The password is too similar to the {}.",
                        attribute.verbose_name
                    ));
                }
            }
        }
        Ok(())
    }

    fn help_text(&self) -> String {
        "Your password can’t be too similar to your other personal information.".into()
    }
}

/// Rejects passwords shorter than `min_length` characters (default 8).
#[derive(Debug, Clone, Copy)]
pub struct MinimumLengthValidator {
    /// The minimum number of characters.
    pub min_length: usize,
}

impl Default for MinimumLengthValidator {
    fn default() -> Self {
        MinimumLengthValidator { min_length: 8 }
    }
}

impl PasswordValidator for MinimumLengthValidator {
    fn validate(&self, password: &str, _user: Option<&[UserAttribute<'_>]>) -> Result<(), String> {
        if password.chars().count() < self.min_length {
            let unit = if self.min_length == 1 {
                "character"
            } else {
                "characters"
            };
            Err(format!(
                "This password is too short. It must contain at least {} {unit}.",
                self.min_length
            ))
        } else {
            Ok(())
        }
    }

    fn help_text(&self) -> String {
        let unit = if self.min_length == 1 {
            "character"
        } else {
            "characters"
        };
        format!(
            "Your password must contain at least {} {unit}.",
            self.min_length
        )
    }
}

/// Django's list of common passwords (`common-passwords.txt.gz`, lower-cased; 19 640).
static COMMON_PASSWORDS_GZ: &[u8] = include_bytes!("common-passwords.txt.gz");

/// The decompressed list, built on first use.
static COMMON_PASSWORDS: LazyLock<HashSet<String>> = LazyLock::new(|| {
    let mut text = String::new();
    if let Err(err) = GzDecoder::new(COMMON_PASSWORDS_GZ).read_to_string(&mut text) {
        // The embedded file is fixed at compile time; a unit test decompresses it.
        tracing::error!("cannot decompress the common password list: {err}");
    }
    text.lines().map(|line| line.trim().to_owned()).collect()
});

/// Rejects passwords in Django's list of common passwords (compared lower-cased and
/// trimmed).
#[derive(Debug, Clone, Copy, Default)]
pub struct CommonPasswordValidator;

impl PasswordValidator for CommonPasswordValidator {
    fn validate(&self, password: &str, _user: Option<&[UserAttribute<'_>]>) -> Result<(), String> {
        if COMMON_PASSWORDS.contains(password.to_lowercase().trim()) {
            Err("This password is too common.".into())
        } else {
            Ok(())
        }
    }

    fn help_text(&self) -> String {
        "Your password can’t be a commonly used password.".into()
    }
}

/// Rejects passwords made only of digits (Python's `str.isdigit`).
#[derive(Debug, Clone, Copy, Default)]
pub struct NumericPasswordValidator;

impl PasswordValidator for NumericPasswordValidator {
    fn validate(&self, password: &str, _user: Option<&[UserAttribute<'_>]>) -> Result<(), String> {
        if !password.is_empty() && password.chars().all(|c| c.is_numeric()) {
            Err("This password is entirely numeric.".into())
        } else {
            Ok(())
        }
    }

    fn help_text(&self) -> String {
        "Your password can’t be entirely numeric.".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email_user(email: &str) -> [UserAttribute<'_>; 3] {
        [
            UserAttribute {
                name: "first_name",
                verbose_name: "first name",
                value: "",
            },
            UserAttribute {
                name: "last_name",
                verbose_name: "last name",
                value: "",
            },
            UserAttribute {
                name: "email",
                verbose_name: "email address",
                value: email,
            },
        ]
    }

    #[test]
    fn the_common_list_is_djangos() {
        // Django's docstring says 20 000; the file has 19 640 distinct entries.
        assert_eq!(COMMON_PASSWORDS.len(), 19_640);
        for common in ["password", "123456", "qwerty", "password123"] {
            assert!(COMMON_PASSWORDS.contains(common), "{common}");
        }
    }

    #[test]
    fn default_validators_report_in_djangos_order() {
        let validators = default_password_validators();
        assert_eq!(
            validate_password("123", None, &validators),
            Err(vec![
                "This password is too short. It must contain at least 8 characters.".to_string(),
                "This password is too common.".to_string(),
                "This password is entirely numeric.".to_string(),
            ])
        );
        assert_eq!(
            validate_password(" PassWord ", None, &validators),
            Err(vec!["This password is too common.".to_string()])
        );
        assert_eq!(
            validate_password("Xq9!long-pass", None, &validators),
            Ok(())
        );
        assert_eq!(
            validate_password("98765432109876", None, &validators),
            Err(vec!["This password is entirely numeric.".to_string()])
        );
    }

    #[test]
    fn similarity_to_the_email_and_its_parts() {
        let validator = UserAttributeSimilarityValidator::default();
        let user = email_user("new1@example.com");
        let too_similar = Err("The password is too similar to the email address.".to_string());
        // Checked with Django: similar to the whole address, to its local part, to a part.
        assert_eq!(
            validator.validate("new1examplecom", Some(&user)),
            too_similar
        );
        assert_eq!(validator.validate("NEW1new", Some(&user)), too_similar);
        assert_eq!(validator.validate("examples", Some(&user)), too_similar);
        assert_eq!(validator.validate("Xq9!long-pass", Some(&user)), Ok(()));
        assert_eq!(validator.validate("NEW1new1", Some(&user)), Ok(()));
        // No user: nothing to compare with.
        assert_eq!(validator.validate("new1examplecom", None), Ok(()));
        // Far longer than every part: skipped by the length ratio.
        assert_eq!(
            validator.validate(&"new1".repeat(30), Some(&email_user("a@b.c"))),
            Ok(())
        );
    }

    #[test]
    fn splits_like_python_re() {
        assert_eq!(
            split_non_word("new1@example.com"),
            ["new1", "example", "com"]
        );
        assert_eq!(split_non_word("@a..b_c@"), ["", "a", "b_c", ""]);
        assert_eq!(split_non_word(""), [""]);
    }
}
