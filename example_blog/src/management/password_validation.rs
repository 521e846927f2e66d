//! The blog's password validators (Django's `AUTH_PASSWORD_VALIDATORS`, the four defaults),
//! used by `changepassword`.

use rest_framework::contrib::auth::password_validation::{
    UserAttribute, default_password_validators, validate_password as run_validators,
};

/// Django's `validate_password(password, user)` for the user with this e-mail: `Ok` or the
/// messages of every failed validator, in Django's order.
pub fn validate_password(password: &str, email: &str) -> Result<(), Vec<String>> {
    let user = [UserAttribute {
        name: "email",
        verbose_name: "email address",
        value: email,
    }];
    run_validators(password, Some(&user), &default_password_validators())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn djangos_default_validators() {
        assert!(validate_password("correct horse battery", "a@b.c").is_ok());
        assert_eq!(
            validate_password("1234567", "a@b.c").unwrap_err(),
            vec![
                "This password is too short. It must contain at least 8 characters.",
                "This password is too common.",
                "This password is entirely numeric.",
            ]
        );
        assert_eq!(
            validate_password("alice.example", "alice@example.com").unwrap_err(),
            vec!["The password is too similar to the email address."]
        );
    }
}
