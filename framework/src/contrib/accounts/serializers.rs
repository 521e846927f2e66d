//! dj-rest-auth's serializers (`serializers.py`, `registration/serializers.py` with allauth),
//! written as an app writes its own: each derives [`Serializer`], which validates the request
//! body with DRF's rules and messages and describes the fields to OPTIONS and the OpenAPI
//! document. What a field check needs beyond the value (the database, the settings: allauth's
//! `validate_email`, the password validators) and the cross-field checks of `validate()` stay
//! in the views, in dj-rest-auth's order.

use crate::Serializer;

/// dj-rest-auth's `LoginSerializer` (allauth logs in by e-mail; `username` is accepted and
/// ignored).
#[derive(Serializer)]
pub(crate) struct LoginSerializer {
    #[field(required = false, allow_blank)]
    pub username: String,
    #[field(required = false, allow_blank, validate(email))]
    pub email: String,
    pub password: String,
}

/// dj-rest-auth's `RegisterSerializer` (allauth's: no username). Its `validate_email`
/// (already registered) and `validate_password1` (the password validators) and `validate()`
/// (the passwords match) run in the view.
#[derive(Serializer)]
pub(crate) struct RegisterSerializer {
    #[field(validate(email))]
    pub email: String,
    #[field(write_only)]
    pub password1: String,
    #[field(write_only)]
    pub password2: String,
}

/// dj-rest-auth's `VerifyEmailSerializer`.
#[derive(Serializer)]
pub(crate) struct VerifyEmailSerializer {
    #[field(write_only)]
    pub key: String,
}

/// dj-rest-auth's `ResendEmailVerificationSerializer`.
#[derive(Serializer)]
pub(crate) struct ResendEmailVerificationSerializer {
    #[field(validate(email))]
    pub email: String,
}

/// dj-rest-auth's `UserDetailsSerializer`: the user model without its password. `pk` and
/// `email` are read-only; the names are read by the view, whose limit is the user type's
/// [`NAME_MAX_LENGTH`](super::AccountUser::NAME_MAX_LENGTH) (Django's 150, as described here).
#[derive(Serializer)]
#[serializer(description = "User model w/o password")]
pub(crate) struct UserDetailsSerializer {
    #[field(read_only, label = "ID")]
    pub pk: i64,
    #[field(read_only, validate(email), label = "Email address")]
    pub email: String,
    #[field(max_length = 150, required = false, allow_blank)]
    pub first_name: String,
    #[field(max_length = 150, required = false, allow_blank)]
    pub last_name: String,
}

/// dj-rest-auth's `PasswordChangeSerializer` (without the old password). Django's
/// `SetPasswordForm` (the passwords match, the validators) runs in the view.
#[derive(Serializer)]
pub(crate) struct PasswordChangeSerializer {
    #[field(max_length = 128)]
    pub new_password1: String,
    #[field(max_length = 128)]
    pub new_password2: String,
}

/// dj-rest-auth's `PasswordResetSerializer` (with allauth's form).
#[derive(Serializer)]
#[serializer(description = "Serializer for requesting a password reset e-mail.")]
pub(crate) struct PasswordResetSerializer {
    #[field(validate(email))]
    pub email: String,
}

/// dj-rest-auth's `PasswordResetConfirmSerializer`. The user of `uid`, the `token` and
/// Django's `SetPasswordForm` are checked in the view.
#[derive(Serializer)]
#[serializer(description = "Serializer for confirming a password reset attempt.")]
pub(crate) struct PasswordResetConfirmSerializer {
    #[field(max_length = 128)]
    pub new_password1: String,
    #[field(max_length = 128)]
    pub new_password2: String,
    pub uid: String,
    pub token: String,
}

/// dj-rest-auth's `RestAuthDetail` answer: `{"detail": "..."}`.
#[derive(Serializer)]
pub(crate) struct RestAuthDetailSerializer {
    #[field(read_only)]
    pub detail: String,
}
