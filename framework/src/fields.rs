//! Serializer fields: how each Rust type reads request data (DRF's `to_internal_value`, with
//! DRF's exact error texts) and how it is written out (DRF's `to_representation`).
//!
//! Generated serializer code calls [`parse_field`] for every writable field and wraps every
//! readable one in [`Repr`] when serializing.
//!
//! The Rust type of a serializer field picks the DRF field:
//!
//! | Rust type | DRF field | input | output |
//! | --- | --- | --- | --- |
//! | `String` | `CharField` (`EmailField`, `URLField`, `SlugField`, `RegexField` with `validate(email)`, `validate(url)`, `validate(slug)`, `validate(regex = "...")`) | strings, numbers | the string |
//! | `i8` ... `i64`, `u8` ... `u64` | `IntegerField` | `1`, `"1"`, `1.0`; out of the type's range is `A valid integer is required.` | the number |
//! | `f32`, `f64` | `FloatField` | numbers, numeric strings | the number |
//! | `bool` | `BooleanField` | `true`, `"yes"`, `1`, ... (DRF's lists) | `true` / `false` |
//! | `chrono::DateTime<Utc>` | `DateTimeField` (`USE_TZ = True`, UTC) | ISO 8601, a naive time read as UTC | `2001-01-02T13:05:06.250000Z` |
//! | `chrono::NaiveDateTime` | `DateTimeField` (`USE_TZ = False`) | ISO 8601, an offset converted to UTC and dropped | `2001-01-02T13:05:06.250000` |
//! | `chrono::NaiveDate` | `DateField` | `2001-01-02` (and Python's other ISO forms, `2001-1-2`) | `2001-01-02` |
//! | `chrono::NaiveTime` | `TimeField` | `13:05[:06[.250000]]` | `13:05:06.250000` (no fraction when zero) |
//! | `uuid::Uuid` | `UUIDField` (`hex_verbose`) | any form Python's `uuid.UUID()` reads | `825d7aeb-05a9-45b5-a5b7-05df87923cda` |
//! | `serde_json::Value` | `JSONField` | any JSON | the JSON |
//! | `Option<T>` | `T`'s field with `allow_null` (see the `allow_null` option) | `null` or `T`'s | `null` or `T`'s |

mod temporal;
mod uuid_field;

use crate::exceptions::ValidationErrors;
use chrono::{DateTime, Datelike, FixedOffset, NaiveDateTime, Timelike, Utc};
use serde::ser::{Serialize, Serializer};
use serde_json::Value;

/// DRF's error texts, shared by every field.
pub mod messages {
    /// DRF's `required`: the field is missing from the input.
    pub const REQUIRED: &str = "This field is required.";
    /// DRF's `null`: `null` where the field does not allow it.
    pub const NULL: &str = "This field may not be null.";
    /// DRF's `blank`: an empty string where the field does not allow it.
    pub const BLANK: &str = "This field may not be blank.";
    /// `CharField`'s `invalid`: the value is not a string.
    pub const INVALID_STRING: &str = "Not a valid string.";
    /// `IntegerField`'s `invalid`.
    pub const INVALID_INTEGER: &str = "A valid integer is required.";
    /// `FloatField`'s `invalid`.
    pub const INVALID_NUMBER: &str = "A valid number is required.";
    /// `BooleanField`'s `invalid`.
    pub const INVALID_BOOLEAN: &str = "Must be a valid boolean.";
    /// `IntegerField`'s `max_string_length`: a numeric string too long to parse.
    pub const STRING_TOO_LARGE: &str = "String value too large.";
    /// `DateField`'s `invalid` (the default ISO 8601 input format).
    pub const INVALID_DATE: &str =
        "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.";
    /// `TimeField`'s `invalid` (the default ISO 8601 input format).
    pub const INVALID_TIME: &str =
        "Time has wrong format. Use one of these formats instead: hh:mm[:ss[.uuuuuu]].";
    /// `UUIDField`'s `invalid`.
    pub const INVALID_UUID: &str = "Must be a valid UUID.";
    /// `DateTimeField`'s `overflow`: the time leaves Python's years 1 to 9999 in UTC.
    pub const DATETIME_OUT_OF_RANGE: &str = "Datetime value out of range.";
    /// `DateTimeField`'s `invalid`, naming ISO 8601.
    pub const INVALID_DATETIME: &str = "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].";
    /// `SlugField`'s `invalid`.
    pub const INVALID_SLUG: &str =
        "Enter a valid \"slug\" consisting of letters, numbers, underscores or hyphens.";
    /// `RegexField`'s `invalid`.
    pub const REGEX_MISMATCH: &str = "This value does not match the required pattern.";
    /// `EmailField`'s `invalid`.
    pub const INVALID_EMAIL: &str = "Enter a valid email address.";
    /// `URLField`'s `invalid`.
    pub const INVALID_URL: &str = "Enter a valid URL.";
    /// `ListField`/`many=True`'s `empty`.
    pub const EMPTY_LIST: &str = "This list may not be empty.";
    /// `CharField`'s `null_characters_not_allowed`: the string holds a NUL.
    pub const NULL_CHARACTERS: &str = "Null characters are not allowed.";

    /// `Ensure this field has no more than N characters.`
    pub fn max_length(n: usize) -> String {
        format!("Ensure this field has no more than {n} characters.")
    }
    /// `Ensure this field has at least N characters.`
    pub fn min_length(n: usize) -> String {
        format!("Ensure this field has at least {n} characters.")
    }
    /// `Ensure this value is less than or equal to N.`
    pub fn max_value(n: impl std::fmt::Display) -> String {
        format!("Ensure this value is less than or equal to {n}.")
    }
    /// `Ensure this value is greater than or equal to N.`
    pub fn min_value(n: impl std::fmt::Display) -> String {
        format!("Ensure this value is greater than or equal to {n}.")
    }
    /// `Surrogate characters are not allowed: U+D800.`
    pub fn surrogate_characters(code_point: u32) -> String {
        format!("Surrogate characters are not allowed: U+{code_point:X}.")
    }
    /// `Expected a list of items but got type "str".`
    pub fn not_a_list(type_name: &str) -> String {
        format!("Expected a list of items but got type \"{type_name}\".")
    }
    /// `Incorrect type. Expected pk value, received str.`
    pub fn incorrect_pk_type(type_name: &str) -> String {
        format!("Incorrect type. Expected pk value, received {type_name}.")
    }
    /// `Object with name=x does not exist.` (`SlugRelatedField`).
    pub fn slug_does_not_exist(slug_name: &str, value: &str) -> String {
        format!("Object with {slug_name}={value} does not exist.")
    }
    /// `Invalid value.` (`SlugRelatedField`, a value that cannot be looked up).
    pub const INVALID_VALUE: &str = "Invalid value.";
    /// `The fields title, user must make a unique set.`
    pub fn not_unique_together(fields: &[&str]) -> String {
        format!("The fields {} must make a unique set.", fields.join(", "))
    }
    /// `Invalid data. Expected a dictionary, but got str.`
    pub fn not_a_dict(type_name: &str) -> String {
        format!("Invalid data. Expected a dictionary, but got {type_name}.")
    }
    /// `Invalid pk "99" - object does not exist.`
    pub fn pk_does_not_exist(pk: &str) -> String {
        format!("Invalid pk \"{pk}\" - object does not exist.")
    }
}

/// Options of one field, from the serializer's `#[field(...)]` attribute.
#[derive(Debug, Clone, Copy)]
pub struct FieldOptions {
    /// `max_length`: CharField's limit.
    pub max_length: Option<usize>,
    /// `min_length`.
    pub min_length: Option<usize>,
    /// `allow_blank`: accept `""`.
    pub allow_blank: bool,
    /// `trim_whitespace` (DRF's default: true).
    pub trim_whitespace: bool,
    /// `min_value` for numbers.
    pub min_value: Option<f64>,
    /// `max_value` for numbers.
    pub max_value: Option<f64>,
}

impl FieldOptions {
    /// DRF's defaults.
    pub const DEFAULT: FieldOptions = FieldOptions {
        max_length: None,
        min_length: None,
        allow_blank: false,
        trim_whitespace: true,
        min_value: None,
        max_value: None,
    };
}

impl Default for FieldOptions {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Python's name of a JSON value's type, as DRF's messages print it.
pub fn python_type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "NoneType",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

/// A Rust type that a serializer field can read from request data.
pub trait FieldType: Sized {
    /// Converts a (non-null) JSON value, returning DRF's error messages on failure.
    fn to_internal(value: &Value, options: &FieldOptions) -> Result<Self, Vec<String>>;

    /// The value for an explicit `null`, when the type allows it (`Option<T>`).
    fn null() -> Option<Self> {
        None
    }

    /// A value that is not JSON's `null` but means it where the field allows null (DRF's
    /// `BooleanField.NULL_VALUES`: `"null"`, `""`).
    fn reads_as_null(_value: &Value) -> bool {
        false
    }
}

impl FieldType for String {
    fn to_internal(value: &Value, options: &FieldOptions) -> Result<Self, Vec<String>> {
        let text = match value {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => return Err(vec![messages::INVALID_STRING.into()]),
        };
        let text = if options.trim_whitespace {
            text.trim().to_string()
        } else {
            text
        };
        if text.is_empty() {
            return if options.allow_blank {
                Ok(text)
            } else {
                Err(vec![messages::BLANK.into()])
            };
        }
        let mut errors = Vec::new();
        let length = crate::parsers::lone_surrogates::char_count(&text);
        if let Some(max) = options.max_length.filter(|max| length > *max) {
            errors.push(messages::max_length(max));
        }
        if let Some(min) = options.min_length.filter(|min| length < *min) {
            errors.push(messages::min_length(min));
        }
        // DRF's validators run in this order: max length, min length, null characters,
        // surrogate characters.
        if text.contains('\0') {
            errors.push(messages::NULL_CHARACTERS.to_string());
        }
        if let Some(code_point) = crate::parsers::lone_surrogates::first_code_point(&text) {
            errors.push(messages::surrogate_characters(code_point));
        }
        if errors.is_empty() {
            Ok(text)
        } else {
            Err(errors)
        }
    }
}

fn parse_integer(value: &Value) -> Result<i64, Vec<String>> {
    let invalid = || vec![messages::INVALID_INTEGER.to_string()];
    match value {
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => Ok(i),
            (None, Some(f)) if f.fract() == 0.0 && f.abs() < 9.2e18 => Ok(f as i64),
            _ => Err(invalid()),
        },
        Value::String(s) => {
            if s.len() > 1000 {
                return Err(vec![messages::STRING_TOO_LARGE.into()]);
            }
            let trimmed = s.trim();
            // DRF accepts "12.0" (a decimal with a zero fraction) as 12.
            let integral = trimmed.strip_suffix(".0").unwrap_or(trimmed);
            integral.parse::<i64>().map_err(|_| invalid())
        }
        _ => Err(invalid()),
    }
}

fn check_range(number: f64, options: &FieldOptions) -> Vec<String> {
    let mut errors = Vec::new();
    if let Some(max) = options.max_value.filter(|max| number > *max) {
        errors.push(messages::max_value(max));
    }
    if let Some(min) = options.min_value.filter(|min| number < *min) {
        errors.push(messages::min_value(min));
    }
    errors
}

macro_rules! integer_field {
    ($($ty:ty),*) => {$(
        impl FieldType for $ty {
            fn to_internal(value: &Value, options: &FieldOptions) -> Result<Self, Vec<String>> {
                let number = parse_integer(value)?;
                let errors = check_range(number as f64, options);
                if !errors.is_empty() {
                    return Err(errors);
                }
                <$ty>::try_from(number).map_err(|_| vec![messages::INVALID_INTEGER.to_string()])
            }
        }
    )*};
}
integer_field!(i64, i32, i16, i8, u64, u32, u16, u8);

/// `FloatField` of 32 bits: read as 64 bits, then rounded to the nearest `f32`.
impl FieldType for f32 {
    fn to_internal(value: &Value, options: &FieldOptions) -> Result<Self, Vec<String>> {
        f64::to_internal(value, options).map(|number| number as f32)
    }
}

impl FieldType for f64 {
    fn to_internal(value: &Value, options: &FieldOptions) -> Result<Self, Vec<String>> {
        let number = match value {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
            _ => None,
        }
        .ok_or_else(|| vec![messages::INVALID_NUMBER.to_string()])?;
        let errors = check_range(number, options);
        if errors.is_empty() {
            Ok(number)
        } else {
            Err(errors)
        }
    }
}

impl FieldType for bool {
    fn to_internal(value: &Value, _options: &FieldOptions) -> Result<Self, Vec<String>> {
        // DRF's TRUE_VALUES / FALSE_VALUES, matched after lowercasing a string.
        match value {
            Value::Bool(b) => Ok(*b),
            Value::Number(n) if n.as_f64() == Some(1.0) => Ok(true),
            Value::Number(n) if n.as_f64() == Some(0.0) => Ok(false),
            Value::String(s) => match s.to_lowercase().as_str() {
                "t" | "y" | "yes" | "true" | "on" | "1" => Ok(true),
                "f" | "n" | "no" | "false" | "off" | "0" => Ok(false),
                _ => Err(vec![messages::INVALID_BOOLEAN.into()]),
            },
            _ => Err(vec![messages::INVALID_BOOLEAN.into()]),
        }
    }

    /// DRF's `NULL_VALUES`: with `allow_null`, `"null"` and `""` are `None` too.
    fn reads_as_null(value: &Value) -> bool {
        matches!(value, Value::String(s) if s.is_empty() || s.to_lowercase() == "null")
    }
}

impl FieldType for DateTime<Utc> {
    fn to_internal(value: &Value, options: &FieldOptions) -> Result<Self, Vec<String>> {
        let parsed = parse_datetime(value, options)?;
        // Python's datetimes hold the years 1 to 9999: an input that only leaves them once in
        // UTC is DRF's `overflow`; one outside them is no datetime at all.
        if (1..=9999).contains(&parsed.year()) {
            Ok(parsed)
        } else {
            Err(vec![messages::DATETIME_OUT_OF_RANGE.to_string()])
        }
    }
}

/// Django's `parse_datetime`, converted to UTC.
fn parse_datetime(value: &Value, _options: &FieldOptions) -> Result<DateTime<Utc>, Vec<String>> {
    let invalid = || vec![messages::INVALID_DATETIME.to_string()];
    let Value::String(text) = value else {
        return Err(invalid());
    };
    let text = text.trim();
    if let Ok(parsed) = DateTime::<FixedOffset>::parse_from_rfc3339(text) {
        return Ok(parsed.with_timezone(&Utc));
    }
    // Django's `parse_datetime` also takes minutes without seconds and a space for `T`.
    let zoned = match text.strip_suffix('Z').or_else(|| text.strip_suffix('z')) {
        Some(rest) => format!("{rest}+00:00"),
        None => text.to_string(),
    };
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f%:z",
        "%Y-%m-%dT%H:%M%:z",
        "%Y-%m-%d %H:%M:%S%.f%:z",
        "%Y-%m-%d %H:%M%:z",
    ] {
        if let Ok(parsed) = DateTime::<FixedOffset>::parse_from_str(&zoned, format) {
            return Ok(parsed.with_timezone(&Utc));
        }
    }
    // Without an offset, DRF reads the time in the current time zone (UTC here).
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(text, format) {
            return Ok(naive.and_utc());
        }
    }
    Err(invalid())
}

impl FieldType for Value {
    fn to_internal(value: &Value, _options: &FieldOptions) -> Result<Self, Vec<String>> {
        Ok(value.clone())
    }
}

impl<T: FieldType> FieldType for Option<T> {
    fn to_internal(value: &Value, options: &FieldOptions) -> Result<Self, Vec<String>> {
        T::to_internal(value, options).map(Some)
    }
    fn null() -> Option<Self> {
        Some(None)
    }
    fn reads_as_null(value: &Value) -> bool {
        T::reads_as_null(value)
    }
}

/// What the request data says about one field.
pub enum Lookup<'a> {
    /// The key is absent.
    Missing,
    /// The key is present with this value.
    Present(&'a Value),
}

/// Reads one writable field from the request data, recording DRF's errors in `errors`.
///
/// Returns `Some(value)` when the field was given and is valid; `None` when it was absent
/// (after recording `This field is required.` if `required`) or invalid.
pub fn parse_field<T: FieldType>(
    data: &serde_json::Map<String, Value>,
    name: &str,
    options: &FieldOptions,
    required: bool,
    errors: &mut ValidationErrors,
) -> Option<T> {
    parse_field_with(data, name, options, required, true, errors)
}

/// [`parse_field`] with DRF's `allow_null`: when false, `null` is refused with
/// `This field may not be null.` even for `Option<T>`.
#[doc(hidden)] // Called by generated code, through `crate::__private`.
pub fn parse_field_with<T: FieldType>(
    data: &serde_json::Map<String, Value>,
    name: &str,
    options: &FieldOptions,
    required: bool,
    allow_null: bool,
    errors: &mut ValidationErrors,
) -> Option<T> {
    match data.get(name) {
        None => {
            if required {
                errors.add(name, messages::REQUIRED);
            }
            None
        }
        Some(Value::Null) => match T::null().filter(|_| allow_null) {
            Some(null) => Some(null),
            None => {
                errors.add(name, messages::NULL);
                None
            }
        },
        Some(value) if allow_null && T::reads_as_null(value) && T::null().is_some() => T::null(),
        Some(value) => match T::to_internal(value, options) {
            Ok(parsed) => Some(parsed),
            Err(messages) => {
                errors.extend(name, messages);
                None
            }
        },
    }
}

/// Reads an e-mail field as DRF's `EmailField` does: a value that is no string or number is
/// `Enter a valid email address.` (the field's own `invalid`), and the e-mail validator runs
/// with the others, so a non-blank string refused for its length or characters gets its
/// message too (`["Null characters are not allowed.", "Enter a valid email address."]`).
/// A blank value passes when `allow_blank`.
#[doc(hidden)] // Called by generated code, through `crate::__private`.
pub fn parse_email_with(
    data: &serde_json::Map<String, Value>,
    name: &str,
    options: &FieldOptions,
    required: bool,
    allow_null: bool,
    errors: &mut ValidationErrors,
) -> Option<String> {
    if matches!(
        data.get(name),
        Some(Value::Bool(_) | Value::Array(_) | Value::Object(_))
    ) {
        errors.add(name, messages::INVALID_EMAIL);
        return None;
    }
    let Some(value) = parse_field_with::<String>(data, name, options, required, allow_null, errors)
    else {
        // DRF runs every validator of the field: the e-mail one after CharField's length, null
        // and surrogate character validators (a blank value runs none).
        if let Some(Value::String(raw)) = data.get(name) {
            let raw = if options.trim_whitespace {
                raw.trim()
            } else {
                raw
            };
            let text = crate::parsers::lone_surrogates::one_char_each(raw);
            if !text.is_empty()
                && let Err(message) = validators::email(&text)
            {
                errors.add(name, message);
            }
        }
        return None;
    };
    if value.is_empty() {
        return Some(value);
    }
    match validators::email(&value) {
        Ok(()) => Some(value),
        Err(message) => {
            errors.add(name, message);
            None
        }
    }
}

/// Validators from the `validator` crate, with DRF's messages. Generated code calls these for
/// `#[field(validate(...))]` rules.
pub mod validators {
    use super::messages;
    use validator::{ValidateLength, ValidateRange, ValidateUrl};

    /// `validate(email)`: Django's `EmailValidator` (what DRF's `EmailField` runs): at most 320
    /// characters, a dot-atom or quoted local part of any length, and a domain of labels
    /// (Unicode letters allowed) ending with a letters-only or punycode TLD, `localhost`, or
    /// an IP literal in brackets.
    pub fn email(value: &str) -> Result<(), String> {
        let valid = value.chars().count() <= 320
            && value
                .rsplit_once('@')
                .is_some_and(|(user, domain)| email_user_part(user) && email_domain_part(domain));
        if valid {
            Ok(())
        } else {
            Err(messages::INVALID_EMAIL.into())
        }
    }

    /// `EmailValidator.user_regex`: a dot-atom or a quoted string.
    fn email_user_part(user: &str) -> bool {
        static USER: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
        USER.get_or_init(|| {
            regex::Regex::new(concat!(
                r"^(?:[-!#$%&'*+/=?^_`{}|~0-9A-Za-z]+(?:\.[-!#$%&'*+/=?^_`{}|~0-9A-Za-z]+)*",
                r#"|"(?:[\x01-\x08\x0b\x0c\x0e-\x1f!#-\[\]-\x7f]|\\[\x01-\x09\x0b\x0c\x0e-\x7f])*")$"#,
            ))
            .expect("a valid pattern")
        })
        .is_match(user)
    }

    /// `EmailValidator.validate_domain_part`: `localhost`, `hostname(.label)*.tld`
    /// (`DomainNameValidator`'s patterns, without a trailing dot) or `[<IP address>]`.
    fn email_domain_part(domain: &str) -> bool {
        // Letters of `DomainNameValidator.ul` (U+00A1 to U+FFFF) count as letters.
        let letter = |c: char| c.is_ascii_alphabetic() || ('\u{a1}'..='\u{ffff}').contains(&c);
        let label = |text: &str, max: usize, digits: bool| {
            let count = text.chars().count();
            (1..=max).contains(&count)
                && !text.starts_with('-')
                && !text.ends_with('-')
                && text
                    .chars()
                    .all(|c| letter(c) || c == '-' || (digits && c.is_ascii_digit()))
        };
        if domain == "localhost" {
            return true;
        }
        if let Some(literal) = domain.strip_prefix('[').and_then(|d| d.strip_suffix(']')) {
            return literal.parse::<std::net::IpAddr>().is_ok();
        }
        let labels: Vec<&str> = domain.split('.').collect();
        let Some((tld, names)) = labels.split_last() else {
            return false;
        };
        let punycode = tld.len() > 4
            && tld[..4].eq_ignore_ascii_case("xn--")
            && tld.len() <= 63
            && tld[4..].bytes().all(|b| b.is_ascii_alphanumeric());
        !names.is_empty()
            && names.iter().all(|name| label(name, 63, true))
            && (punycode || (tld.chars().count() >= 2 && label(tld, 63, false)))
    }

    /// DRF's `SlugField` pattern.
    pub const SLUG_PATTERN: &str = "^[-a-zA-Z0-9_]+$";

    /// `validate(slug)`: DRF's `SlugField` (ASCII letters, digits, `_` and `-`).
    pub fn slug(value: &str) -> Result<(), String> {
        let valid = !value.is_empty()
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if valid {
            Ok(())
        } else {
            Err(messages::INVALID_SLUG.into())
        }
    }

    /// `validate(regex = "...")`: DRF's `RegexField`, compiled on first use (the derive has
    /// checked the pattern at compile time).
    pub struct Pattern {
        source: &'static str,
        compiled: std::sync::OnceLock<Option<regex::Regex>>,
    }

    impl Pattern {
        /// A pattern, not yet compiled.
        pub const fn new(source: &'static str) -> Self {
            Pattern {
                source,
                compiled: std::sync::OnceLock::new(),
            }
        }

        /// Django's `RegexValidator`: the pattern is searched for in the value.
        pub fn check(&self, value: &str) -> Result<(), String> {
            let compiled = self
                .compiled
                .get_or_init(|| regex::Regex::new(self.source).ok());
            match compiled {
                Some(regex) if regex.is_match(value) => Ok(()),
                _ => Err(messages::REGEX_MISMATCH.into()),
            }
        }
    }

    /// `validate(url)`.
    pub fn url(value: &str) -> Result<(), String> {
        if value.validate_url() {
            Ok(())
        } else {
            Err(messages::INVALID_URL.into())
        }
    }

    /// `validate(length(min = .., max = ..))`, counted in characters.
    pub fn length(value: &str, min: Option<u64>, max: Option<u64>) -> Result<(), String> {
        if value.validate_length(min, max, None) {
            return Ok(());
        }
        let count = value.chars().count() as u64;
        match (min, max) {
            (Some(min), _) if count < min => Err(messages::min_length(min as usize)),
            (_, Some(max)) => Err(messages::max_length(max as usize)),
            _ => Err(messages::min_length(min.unwrap_or(0) as usize)),
        }
    }

    /// `validate(range(min = .., max = ..))`.
    pub fn range<T>(value: T, min: Option<T>, max: Option<T>) -> Result<(), String>
    where
        T: PartialOrd + Copy + std::fmt::Display,
        T: ValidateRange<T>,
    {
        if value.validate_range(min, max, None, None) {
            return Ok(());
        }
        match (min, max) {
            (Some(min), _) if value < min => Err(messages::min_value(min)),
            (_, Some(max)) => Err(messages::max_value(max)),
            _ => Ok(()),
        }
    }

    /// `validate(contains = "..")`.
    pub fn contains(value: &str, needle: &str) -> Result<(), String> {
        if value.contains(needle) {
            Ok(())
        } else {
            Err(format!("This field must contain \"{needle}\"."))
        }
    }
}

/// Python's `str.isspace()` (what `\s`, `str.strip()` and `int()` skip).
pub fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// What Python's `int(text)` makes of a query parameter or a path id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PyInt {
    /// An integer that fits a primary key.
    Int(i64),
    /// A valid integer too large for any primary key: matches no row.
    OutOfRange,
    /// Not an integer (`ValueError`).
    Invalid,
}

/// Python's `int(text)`: surrounding whitespace, a sign, and single underscores between
/// digits are accepted (`" +1_0 "` is 10); anything else is invalid.
pub fn parse_py_int(text: &str) -> PyInt {
    let trimmed = text.trim_matches(is_py_space);
    let (negative, digits) = match trimmed.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, trimmed.strip_prefix('+').unwrap_or(trimmed)),
    };
    let well_formed = !digits.is_empty()
        && digits
            .split('_')
            .all(|group| !group.is_empty() && group.bytes().all(|b| b.is_ascii_digit()));
    if !well_formed {
        return PyInt::Invalid;
    }
    let mut number = String::with_capacity(digits.len() + 1);
    if negative {
        number.push('-');
    }
    number.extend(digits.chars().filter(|c| *c != '_'));
    number.parse().map_or(PyInt::OutOfRange, PyInt::Int)
}

/// Wraps a value so that it serializes in DRF's representation (see [`Representation`]).
pub struct Repr<'a, T: ?Sized>(pub &'a T);

impl<T: Representation + ?Sized> Serialize for Repr<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.represent(serializer)
    }
}

/// How a Rust value is written in a response, as DRF's `to_representation`.
///
/// A value is written two ways that give the same JSON: [`represent`](Self::represent), with
/// any serde serializer, and [`write_json`](Self::write_json), straight into the bytes of a
/// JSON response (the renderer's fast path: a derived serializer writes its keys as literals,
/// escaped once at compile time, where serde would escape every key of every row).
pub trait Representation {
    /// Writes the value with serde.
    fn represent<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error>;

    /// Appends the value's JSON text to `out`: the bytes `serde_json` writes for
    /// [`represent`](Self::represent). The default goes through serde; implement it only to
    /// write the same bytes faster.
    fn write_json(&self, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
        serde_json::to_writer(out, &Repr(self))
    }
}

macro_rules! plain_representation {
    ($($ty:ty),*) => {$(
        impl Representation for $ty {
            fn represent<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                self.serialize(serializer)
            }
        }
    )*};
}
plain_representation!(f32, f64, Value);

macro_rules! integer_representation {
    ($($ty:ty),*) => {$(
        impl Representation for $ty {
            fn represent<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                self.serialize(serializer)
            }
            fn write_json(&self, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
                out.extend_from_slice(itoa::Buffer::new().format(*self).as_bytes());
                Ok(())
            }
        }
    )*};
}
integer_representation!(i8, i16, i32, i64, u8, u16, u32, u64);

impl Representation for bool {
    fn represent<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.serialize(serializer)
    }
    fn write_json(&self, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
        out.extend_from_slice(if *self { b"true" } else { b"false" });
        Ok(())
    }
}

impl Representation for str {
    fn represent<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.serialize(serializer)
    }
    fn write_json(&self, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
        serde_json::to_writer(out, self)
    }
}

impl Representation for String {
    fn represent<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.serialize(serializer)
    }
    fn write_json(&self, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
        self.as_str().write_json(out)
    }
}

impl Representation for DateTime<Utc> {
    fn represent<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        DrfDateTime(self).serialize(serializer)
    }
    fn write_json(&self, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
        match DrfDateTime(self).write_common(&mut [0; 27]) {
            // Digits, `-`, `:`, `.`, `T` and `Z`: nothing to escape.
            Some(text) => {
                out.push(b'"');
                out.extend_from_slice(text.as_bytes());
                out.push(b'"');
                Ok(())
            }
            None => serde_json::to_writer(out, &DrfDateTime(self)),
        }
    }
}

impl<T: Representation + ?Sized> Representation for &T {
    fn represent<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (**self).represent(serializer)
    }
    fn write_json(&self, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
        (**self).write_json(out)
    }
}

impl<T: Representation> Representation for Option<T> {
    fn represent<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Some(value) => value.represent(serializer),
            None => serializer.serialize_none(),
        }
    }
    fn write_json(&self, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
        match self {
            Some(value) => value.write_json(out),
            None => {
                out.extend_from_slice(b"null");
                Ok(())
            }
        }
    }
}

impl<T: Representation> Representation for Vec<T> {
    fn represent<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.as_slice().represent(serializer)
    }
    fn write_json(&self, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
        self.as_slice().write_json(out)
    }
}

impl<T: Representation> Representation for [T] {
    fn represent<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter().map(Repr))
    }
    fn write_json(&self, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
        out.push(b'[');
        for (i, item) in self.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            item.write_json(out)?;
        }
        out.push(b']');
        Ok(())
    }
}

/// Formats a UTC datetime as DRF does: ISO 8601 with `Z`, microseconds only when non-zero.
pub struct DrfDateTime<'a>(pub &'a DateTime<Utc>);

impl DrfDateTime<'_> {
    /// The text of years 0 to 9999 (every datetime a database column holds), written into
    /// `buf` digit by digit: no formatting machinery, no allocation, and serde writes it as one
    /// string (a page of rows renders a few of these per row). `None` for other years.
    fn write_common<'b>(&self, buf: &'b mut [u8; 27]) -> Option<&'b str> {
        let at = self.0;
        let (year, nanos) = (at.year(), at.nanosecond());
        if !(0..=9999).contains(&year) || nanos >= 1_000_000_000 {
            return None;
        }
        fn digits(out: &mut [u8], mut value: u32) {
            for slot in out.iter_mut().rev() {
                *slot = b'0' + (value % 10) as u8;
                value /= 10;
            }
        }
        digits(&mut buf[0..4], year as u32);
        buf[4] = b'-';
        digits(&mut buf[5..7], at.month());
        buf[7] = b'-';
        digits(&mut buf[8..10], at.day());
        buf[10] = b'T';
        digits(&mut buf[11..13], at.hour());
        buf[13] = b':';
        digits(&mut buf[14..16], at.minute());
        buf[16] = b':';
        digits(&mut buf[17..19], at.second());
        let micros = nanos / 1_000;
        let end = if micros == 0 {
            19
        } else {
            buf[19] = b'.';
            digits(&mut buf[20..26], micros);
            26
        };
        buf[end] = b'Z';
        std::str::from_utf8(&buf[..=end]).ok()
    }
}

impl Serialize for DrfDateTime<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.write_common(&mut [0; 27]) {
            Some(text) => serializer.serialize_str(text),
            None => serializer.collect_str(self),
        }
    }
}

impl std::fmt::Display for DrfDateTime<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(text) = self.write_common(&mut [0; 27]) {
            return f.write_str(text);
        }
        let micros = self.0.nanosecond() % 1_000_000_000 / 1_000;
        write!(f, "{}", self.0.format("%Y-%m-%dT%H:%M:%S"))?;
        if micros != 0 {
            write!(f, ".{micros:06}")?;
        }
        f.write_str("Z")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn char_field(value: Value, max: Option<usize>) -> Result<String, Vec<String>> {
        String::to_internal(
            &value,
            &FieldOptions {
                max_length: max,
                ..FieldOptions::DEFAULT
            },
        )
    }

    #[test]
    fn char_field_follows_drf() {
        assert_eq!(char_field(json!("  hi "), None), Ok("hi".into()));
        assert_eq!(char_field(json!(12345), None), Ok("12345".into()));
        assert_eq!(char_field(json!(6.5), None), Ok("6.5".into()));
        assert_eq!(
            char_field(json!("   "), None),
            Err(vec![messages::BLANK.to_string()])
        );
        assert_eq!(
            char_field(json!(true), None),
            Err(vec![messages::INVALID_STRING.to_string()])
        );
        assert_eq!(
            char_field(json!({}), None),
            Err(vec![messages::INVALID_STRING.to_string()])
        );
        assert_eq!(
            char_field(json!("x".repeat(101)), Some(100)),
            Err(vec![
                "Ensure this field has no more than 100 characters.".to_string()
            ])
        );
        assert_eq!(
            char_field(json!("é".repeat(100)), Some(100)),
            Ok("é".repeat(100))
        );
    }

    #[test]
    fn integer_field_follows_drf() {
        let opts = FieldOptions::DEFAULT;
        assert_eq!(i64::to_internal(&json!(" 42 "), &opts), Ok(42));
        assert_eq!(i64::to_internal(&json!(7.0), &opts), Ok(7));
        assert_eq!(
            i64::to_internal(&json!("abc"), &opts),
            Err(vec![messages::INVALID_INTEGER.to_string()])
        );
        assert_eq!(
            i64::to_internal(&json!(true), &opts),
            Err(vec![messages::INVALID_INTEGER.to_string()])
        );
        let bounded = FieldOptions {
            max_value: Some(10.0),
            ..opts
        };
        assert_eq!(
            i64::to_internal(&json!(11), &bounded),
            Err(vec![
                "Ensure this value is less than or equal to 10.".to_string()
            ])
        );
    }

    #[test]
    fn parse_field_reports_missing_and_null() {
        let data = json!({"b": null}).as_object().cloned().unwrap();
        let mut errors = ValidationErrors::default();
        let missing: Option<String> =
            parse_field(&data, "a", &FieldOptions::DEFAULT, true, &mut errors);
        let null: Option<String> =
            parse_field(&data, "b", &FieldOptions::DEFAULT, true, &mut errors);
        let optional: Option<Option<String>> =
            parse_field(&data, "b", &FieldOptions::DEFAULT, true, &mut errors);
        assert!(missing.is_none() && null.is_none());
        assert_eq!(optional, Some(None));
        assert_eq!(
            serde_json::to_string(&errors).unwrap(),
            r#"{"a":["This field is required."],"b":["This field may not be null."]}"#
        );
    }

    #[test]
    fn datetimes_render_as_drf() {
        let with_micros = DateTime::parse_from_rfc3339("2026-11-23T00:29:22.552575+00:00")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            DrfDateTime(&with_micros).to_string(),
            "2026-11-23T00:29:22.552575Z"
        );
        let whole = DateTime::parse_from_rfc3339("2026-11-23T00:29:22+00:00")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(DrfDateTime(&whole).to_string(), "2026-11-23T00:29:22Z");
        // Padded as strftime pads (Python's year 1 is `0001`).
        let early = DateTime::parse_from_rfc3339("0001-02-03T04:05:06.000007+00:00")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            DrfDateTime(&early).to_string(),
            "0001-02-03T04:05:06.000007Z"
        );
        // serde writes the same text as one JSON string.
        assert_eq!(
            serde_json::to_string(&Repr(&with_micros)).unwrap(),
            "\"2026-11-23T00:29:22.552575Z\""
        );
        assert_eq!(
            serde_json::to_string(&Repr(&whole)).unwrap(),
            "\"2026-11-23T00:29:22Z\""
        );
        // A leap second (chrono's nanoseconds past 1e9) and a year past 9999 take the
        // strftime path.
        let leap = chrono::NaiveDate::from_ymd_opt(2016, 12, 31)
            .and_then(|d| d.and_hms_micro_opt(23, 59, 59, 1_500_000))
            .unwrap()
            .and_utc();
        assert_eq!(
            DrfDateTime(&leap).to_string(),
            "2016-12-31T23:59:60.500000Z"
        );
        assert_eq!(
            serde_json::to_string(&Repr(&leap)).unwrap(),
            "\"2016-12-31T23:59:60.500000Z\""
        );
        let far = chrono::NaiveDate::from_ymd_opt(12345, 1, 2)
            .and_then(|d| d.and_hms_opt(3, 4, 5))
            .unwrap()
            .and_utc();
        assert_eq!(DrfDateTime(&far).to_string(), "+12345-01-02T03:04:05Z");
    }

    /// `write_json` writes serde's bytes for every type it writes by hand.
    #[test]
    fn write_json_is_serdes_text() {
        fn same<T: Representation + ?Sized>(value: &T) {
            let mut written = Vec::new();
            value.write_json(&mut written).unwrap();
            assert_eq!(
                String::from_utf8(written).unwrap(),
                serde_json::to_string(&Repr(value)).unwrap()
            );
        }
        for n in [0, -1, 42, i64::MIN, i64::MAX] {
            same(&n);
        }
        same(&u64::MAX);
        same(&(-7i8));
        same(&true);
        same(&false);
        same(&1.5f64);
        same(&f64::NAN);
        for text in [
            "",
            "plain",
            "quote \" back \\ slash",
            "\n\t\r\u{8}\u{c}\u{1}\u{1f}",
            "é ✓ 😀 \u{2028}",
        ] {
            same(text);
            same(&text.to_string());
        }
        let at = |text: &str| {
            DateTime::parse_from_rfc3339(text)
                .unwrap()
                .with_timezone(&Utc)
        };
        same(&at("2026-11-23T00:29:22.552575+00:00"));
        same(&at("2026-11-23T00:29:22+00:00"));
        same(&at("0001-02-03T04:05:06.000007+00:00"));
        let leap = chrono::NaiveDate::from_ymd_opt(2016, 12, 31)
            .and_then(|d| d.and_hms_micro_opt(23, 59, 59, 1_500_000))
            .unwrap()
            .and_utc();
        same(&leap);
        let far = chrono::NaiveDate::from_ymd_opt(12345, 1, 2)
            .and_then(|d| d.and_hms_opt(3, 4, 5))
            .unwrap()
            .and_utc();
        same(&far);
        same(&Some(3i64));
        same(&None::<String>);
        same(&vec![1i64, 2, 3]);
        same(&Vec::<i64>::new());
        same(&vec![Some("a".to_string()), None]);
        same(&[vec![1i64], vec![]][..]);
        same(&json!({"a": [1, null, "x"]}));
    }

    /// Django's `EmailValidator`, case by case.
    #[test]
    fn email_is_djangos_email_validator() {
        let long_local = format!("{}@example.com", "a".repeat(240));
        let too_long = format!("{}@example.com", "a".repeat(320));
        for valid in [
            "a@example.com",
            long_local.as_str(),
            "first.last+tag@sub.example.co.uk",
            "\"quoted@local\"@example.com",
            "user@localhost",
            "user@[127.0.0.1]",
            "user@[::1]",
            "user@bücher.example",
            "user@example.xn--p1ai",
            "USER@EXAMPLE.COM",
        ] {
            assert!(validators::email(valid).is_ok(), "{valid}");
        }
        for invalid in [
            "",
            "nope",
            "a@",
            "@example.com",
            too_long.as_str(),
            "a..b@example.com",
            ".a@example.com",
            "a b@example.com",
            "a@example",
            "a@example.c",
            "a@example.c0m",
            "a@-example.com",
            "a@example-.com",
            "a@example.com.",
            "a@[999.1.1.1]",
            "a@exa_mple.com",
            "\"quoted space\"@example.com",
        ] {
            assert!(validators::email(invalid).is_err(), "{invalid}");
        }
    }

    /// `parse_email_with` is DRF's `EmailField`: its own `invalid` for other types, and its
    /// validator's message beside CharField's.
    #[test]
    fn email_fields_read_as_drfs_email_field() {
        let read = |value: Value, allow_blank: bool| {
            let data = json!({ "email": value }).as_object().cloned().unwrap();
            let options = FieldOptions {
                allow_blank,
                max_length: Some(20),
                ..FieldOptions::DEFAULT
            };
            let mut errors = ValidationErrors::default();
            let value = parse_email_with(&data, "email", &options, true, false, &mut errors);
            (value, serde_json::to_value(&errors).unwrap())
        };
        let none = json!({});
        assert_eq!(
            read(json!(" a@example.com "), false),
            (Some("a@example.com".into()), none.clone())
        );
        assert_eq!(read(json!(""), true), (Some(String::new()), none.clone()));
        for value in [json!(true), json!([]), json!({}), json!(12), json!("nope")] {
            assert_eq!(
                read(value.clone(), false),
                (None, json!({"email": [messages::INVALID_EMAIL]})),
                "{value}"
            );
        }
        assert_eq!(
            read(json!("   "), false),
            (None, json!({"email": [messages::BLANK]}))
        );
        assert_eq!(
            read(json!(null), false),
            (None, json!({"email": [messages::NULL]}))
        );
        assert_eq!(
            read(json!("a\u{0}b@example.com"), false),
            (
                None,
                json!({"email": [messages::NULL_CHARACTERS, messages::INVALID_EMAIL]})
            )
        );
        // Too long, and no address either: both messages, CharField's first.
        assert_eq!(
            read(json!("x".repeat(21)), false),
            (
                None,
                json!({"email": [messages::max_length(20), messages::INVALID_EMAIL]})
            )
        );
        let long_valid = format!("{}@example.com", "a".repeat(10));
        assert_eq!(
            read(json!(long_valid), false),
            (None, json!({"email": [messages::max_length(20)]}))
        );
    }

    #[test]
    fn validators_use_drf_messages() {
        assert_eq!(
            validators::email("nope"),
            Err(messages::INVALID_EMAIL.to_string())
        );
        assert!(validators::email("a@example.com").is_ok());
        assert_eq!(
            validators::length("ab", Some(3), None),
            Err(messages::min_length(3))
        );
        assert_eq!(
            validators::range(5, Some(1), Some(3)),
            Err(messages::max_value(3))
        );
    }
}
