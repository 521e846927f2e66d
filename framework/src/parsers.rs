//! Parsers (DRF's `rest_framework.parsers`): turn a request body into DRF's `request.data`,
//! a JSON object, with DRF's errors (400 parse error, 415 unsupported media type).

use crate::exceptions::{ApiError, ApiResult, NON_FIELD_ERRORS};
use crate::fields::python_type_name;
use serde_json::{Map, Value};

mod bounded_json;
pub mod lone_surrogates;
mod multipart;
mod python_json;

pub use multipart::{DATA_TOO_BIG, TOO_MANY_FIELDS, TOO_MANY_FILES};

/// How much of a request the parsers accept (Django's `DATA_UPLOAD_*` settings; see
/// [`Settings::parser_limits`](crate::settings::Settings::parser_limits)). `None` turns a
/// limit off.
///
/// ```
/// use rest_framework::parsers::ParserLimits;
/// use rest_framework::settings::Settings;
///
/// let mut settings = Settings::new(b"secret".to_vec());
/// settings.parser_limits = ParserLimits {
///     max_memory_size: Some(10 * 1024 * 1024), // 10 MiB bodies
///     max_number_fields: None,                 // no field limit
///     ..ParserLimits::default()
/// };
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParserLimits {
    /// `DATA_UPLOAD_MAX_MEMORY_SIZE`: the largest body read, in bytes (2.5 MiB); for a
    /// multipart body, also the total of its text fields as Django counts them.
    pub max_memory_size: Option<usize>,
    /// `DATA_UPLOAD_MAX_NUMBER_FIELDS`: the most fields of a form body or query string
    /// (1,000).
    pub max_number_fields: Option<usize>,
    /// `DATA_UPLOAD_MAX_NUMBER_FILES`: the most files of a multipart body (100).
    pub max_number_files: Option<usize>,
    /// The most values a JSON body may hold (100,000): scalars, arrays and objects count one
    /// each. DRF has no such limit; it bounds the memory a body of small values takes once
    /// parsed (about 16 times its size without it).
    pub max_json_values: Option<usize>,
}

impl Default for ParserLimits {
    /// Django's defaults.
    fn default() -> Self {
        ParserLimits {
            max_memory_size: Some(2_621_440),
            max_number_fields: Some(1000),
            max_number_files: Some(100),
            max_json_values: Some(100_000),
        }
    }
}

impl ParserLimits {
    /// No limits at all.
    pub const UNLIMITED: ParserLimits = ParserLimits {
        max_memory_size: None,
        max_number_fields: None,
        max_number_files: None,
        max_json_values: None,
    };

    /// Refuses a form body or query string with more fields than
    /// [`ParserLimits::max_number_fields`], counted as Python's `parse_qsl` counts them
    /// (one more than its `&`s; nothing for an empty string).
    pub fn check_number_fields(&self, query: &[u8]) -> ApiResult<()> {
        match self.max_number_fields {
            Some(max) if !query.is_empty() && memchr::memchr_iter(b'&', query).count() >= max => {
                Err(ApiError::ParseError(TOO_MANY_FIELDS.into()))
            }
            _ => Ok(()),
        }
    }
}

/// The media types the built-in parsers accept, in DRF's order.
pub const PARSED_MEDIA_TYPES: &[&str] = &[
    "application/json",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
];

/// Whether a body of this `Content-Type` is an HTML form (urlencoded or multipart), whose
/// fields DRF reads as a `QueryDict`.
pub fn is_html_input(content_type: Option<&str>) -> bool {
    let essence = content_type
        .and_then(|media| media.split(';').next())
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    matches!(
        essence.as_str(),
        "application/x-www-form-urlencoded" | "multipart/form-data"
    )
}

/// The data of an HTML form as a serializer with these to-many fields reads it (DRF's
/// `QueryDict` access in `Field.get_value`): a to-many field is a list (`getlist`: a key given
/// once is a list of one, a missing key an empty list unless the update is partial); any other
/// field given several times takes its last value (`QueryDict.get`). Other data is returned
/// as it is.
#[doc(hidden)] // Called by generated code, through `crate::__private`.
pub fn html_form_data<'a>(
    data: &'a Map<String, Value>,
    to_many: &[&str],
    partial: bool,
    html_input: bool,
) -> std::borrow::Cow<'a, Map<String, Value>> {
    if !html_input {
        return std::borrow::Cow::Borrowed(data);
    }
    let mut form = Map::with_capacity(data.len());
    for (key, value) in data {
        let value = match value {
            Value::Array(values) if !to_many.contains(&key.as_str()) => {
                values.last().cloned().unwrap_or(Value::Null)
            }
            Value::String(_) if to_many.contains(&key.as_str()) => {
                Value::Array(vec![value.clone()])
            }
            _ => value.clone(),
        };
        form.insert(key.clone(), value);
    }
    if !partial {
        for key in to_many {
            form.entry(*key).or_insert_with(|| Value::Array(Vec::new()));
        }
    }
    std::borrow::Cow::Owned(form)
}

/// Parses a body by its `Content-Type`, within `limits`. An empty body is an empty object, as
/// in DRF.
pub fn parse(
    content_type: Option<&str>,
    body: &[u8],
    limits: &ParserLimits,
) -> ApiResult<Map<String, Value>> {
    if body.is_empty() {
        return Ok(Map::new());
    }
    let media = content_type.unwrap_or("application/json");
    let essence = media
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match essence.as_str() {
        "application/json" | "" => parse_json(body, limits),
        "application/x-www-form-urlencoded" => {
            limits.check_number_fields(body)?;
            Ok(collect_fields(form_urlencoded::parse(body).into_owned()))
        }
        "multipart/form-data" => Ok(collect_fields(multipart::parse(media, body, limits)?)),
        _ => Err(ApiError::UnsupportedMediaType(media.to_string())),
    }
}

fn parse_json(body: &[u8], limits: &ParserLimits) -> ApiResult<Map<String, Value>> {
    let read = |body: &[u8]| bounded_json::from_slice(body, limits.max_json_values);
    let value: Value = read(body).or_else(|err| {
        let err = match err {
            bounded_json::BoundedError::TooManyValues => {
                return Err(too_many_json_values(limits));
            }
            bounded_json::BoundedError::Syntax(err) => err,
        };
        // Python decodes lone surrogate escapes; char fields then report them.
        match lone_surrogates::decode(body, read) {
            Some(Ok(value)) => return Ok(value),
            Some(Err(bounded_json::BoundedError::TooManyValues)) => {
                return Err(too_many_json_values(limits));
            }
            Some(Err(bounded_json::BoundedError::Syntax(_))) | None => {}
        }
        // Python's message for the same body, as DRF reports it; serde_json's when Python
        // would have accepted the body.
        let message = python_json::error_message(body).unwrap_or_else(|| err.to_string());
        Err(ApiError::ParseError(format!(
            "JSON parse error - {message}"
        )))
    })?;
    match value {
        Value::Object(map) => Ok(map),
        // DRF's `Serializer.errors` edge case: `null` is "No data provided", not "may not be null".
        Value::Null => Err(ApiError::non_field("No data provided")),
        other => {
            let mut errors = crate::exceptions::ValidationErrors::default();
            errors.add(
                NON_FIELD_ERRORS,
                format!(
                    "Invalid data. Expected a dictionary, but got {}.",
                    python_type_name(&other)
                ),
            );
            Err(ApiError::Validation(errors))
        }
    }
}

fn too_many_json_values(limits: &ParserLimits) -> ApiError {
    ApiError::ParseError(format!(
        "JSON parse error - more than {} values in the body.",
        limits.max_json_values.unwrap_or(usize::MAX)
    ))
}

/// Form fields as DRF's QueryDict reads them in serializers: a key given once is a string, a
/// repeated key a list (`tags=3&tags=4`).
fn collect_fields(pairs: impl IntoIterator<Item = (String, String)>) -> Map<String, Value> {
    let mut map = Map::new();
    for (key, value) in pairs {
        match map.get_mut(&key) {
            Some(Value::Array(list)) => list.push(Value::String(value)),
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, Value::String(value)]);
            }
            None => {
                map.insert(key, Value::String(value));
            }
        }
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_default(content_type: Option<&str>, body: &[u8]) -> ApiResult<Map<String, Value>> {
        parse(content_type, body, &ParserLimits::default())
    }

    #[test]
    fn limits_are_djangos() {
        let limits = ParserLimits {
            max_number_fields: Some(3),
            max_json_values: Some(4),
            ..ParserLimits::default()
        };
        let form = Some("application/x-www-form-urlencoded");
        assert!(parse(form, b"a=1&b=2&c=3", &limits).is_ok());
        // Python's parse_qsl counts the empty pieces too.
        assert_eq!(
            parse(form, b"a=1&&&", &limits).unwrap_err().detail(),
            TOO_MANY_FIELDS
        );
        let json = Some("application/json");
        assert!(parse(json, br#"{"a": [1, 2]}"#, &limits).is_ok());
        assert_eq!(
            parse(json, br#"{"a": [1, 2, 3]}"#, &limits)
                .unwrap_err()
                .detail(),
            "JSON parse error - more than 4 values in the body."
        );
        assert!(parse(json, br#"{"a": [1, 2, 3]}"#, &ParserLimits::UNLIMITED).is_ok());
    }

    /// A body nested deeper than any stack is a 400, not a crash.
    #[test]
    fn any_depth_is_a_parse_error() {
        for body in ["[".repeat(100_000), "{\"a\":".repeat(100_000)] {
            let err = parse_default(Some("application/json"), body.as_bytes()).unwrap_err();
            assert!(
                err.detail()
                    .starts_with("JSON parse error - maximum recursion depth exceeded"),
                "{}",
                err.detail()
            );
        }
    }

    #[test]
    fn json_errors_match_drf() {
        let err = parse_default(Some("application/json"), b"not json").unwrap_err();
        assert!(err.detail().starts_with("JSON parse error - "));
        let err = parse_default(Some("application/json"), b"[1]").unwrap_err();
        let ApiError::Validation(errors) = err else {
            panic!("expected validation")
        };
        assert_eq!(
            serde_json::to_string(&errors).unwrap(),
            r#"{"non_field_errors":["Invalid data. Expected a dictionary, but got list."]}"#
        );
        let multipart = "--XyZ\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nHello\r\n--XyZ\r\nContent-Disposition: form-data; name=\"tags\"\r\n\r\n3\r\n--XyZ\r\nContent-Disposition: form-data; name=\"tags\"\r\n\r\n4\r\n--XyZ--\r\n";
        let data = parse_default(
            Some("multipart/form-data; boundary=XyZ"),
            multipart.as_bytes(),
        )
        .unwrap();
        assert_eq!(
            serde_json::Value::Object(data),
            serde_json::json!({"title": "Hello", "tags": ["3", "4"]})
        );
        assert!(parse_default(Some("multipart/form-data"), b"x").is_err());
        let err = parse_default(Some("text/plain"), b"x").unwrap_err();
        assert_eq!(
            err.detail(),
            "Unsupported media type \"text/plain\" in request."
        );
        assert!(
            parse_default(Some("application/json"), b"")
                .unwrap()
                .is_empty()
        );
    }
}
