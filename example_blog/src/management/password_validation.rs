//! The blog's password validators (Django's `AUTH_PASSWORD_VALIDATORS`), used by
//! `changepassword`.
//!
//! HOOK(password-validation): this is a stand-in with Django's `MinimumLengthValidator` only.
//! When `rest_framework::auth::password_validation` (Django's four validators) lands, make
//! [`validate_password`] call it with the user, and delete [`MIN_LENGTH`].

/// `MinimumLengthValidator`'s `min_length`.
pub const MIN_LENGTH: usize = 8;

/// Django's `validate_password(password, user)`: `Ok` or the messages of every failed
/// validator.
pub fn validate_password(password: &str, _email: &str) -> Result<(), Vec<String>> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        let plural = if MIN_LENGTH == 1 { "" } else { "s" };
        return Err(vec![format!(
            "This password is too short. It must contain at least {MIN_LENGTH} character{plural}."
        )]);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimum_length() {
        assert!(validate_password("12345678", "a@b.c").is_ok());
        assert_eq!(
            validate_password("1234567", "a@b.c").unwrap_err(),
            vec!["This password is too short. It must contain at least 8 characters."]
        );
    }
}
