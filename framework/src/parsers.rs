//! Parsers (DRF's `rest_framework.parsers`): turn a request body into DRF's `request.data`,
//! a JSON object, with DRF's errors (400 parse error, 415 unsupported media type).

use crate::exceptions::{ApiError, ApiResult, NON_FIELD_ERRORS};
use crate::fields::python_type_name;
use serde_json::{Map, Value};

pub mod lone_surrogates;
mod python_json;

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

/// Parses a body by its `Content-Type`. An empty body is an empty object, as in DRF.
pub fn parse(content_type: Option<&str>, body: &[u8]) -> ApiResult<Map<String, Value>> {
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
        "application/json" | "" => parse_json(body),
        "application/x-www-form-urlencoded" => {
            Ok(collect_fields(form_urlencoded::parse(body).into_owned()))
        }
        "multipart/form-data" => parse_multipart(media, body),
        _ => Err(ApiError::UnsupportedMediaType(media.to_string())),
    }
}

fn parse_json(body: &[u8]) -> ApiResult<Map<String, Value>> {
    let value: Value = serde_json::from_slice(body).or_else(|err| {
        // Python decodes lone surrogate escapes; char fields then report them.
        if let Some(value) = lone_surrogates::decode(body) {
            return Ok(value);
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

/// `multipart/form-data`: the text fields (uploaded files are not read yet).
fn parse_multipart(content_type: &str, body: &[u8]) -> ApiResult<Map<String, Value>> {
    use futures_util::FutureExt;
    let invalid =
        |err: multer::Error| ApiError::ParseError(format!("Multipart form parse error - {err}"));
    let boundary = multer::parse_boundary(content_type).map_err(|_| {
        // Django's words, with Python's `None` for a missing parameter.
        let given = content_type
            .split(';')
            .skip(1)
            .filter_map(|param| param.split_once('='))
            .find(|(name, _)| name.trim().eq_ignore_ascii_case("boundary"))
            .map_or_else(
                || "None".to_owned(),
                |(_, value)| value.trim().trim_matches('"').to_owned(),
            );
        ApiError::ParseError(format!(
            "Multipart form parse error - Invalid boundary in multipart: {given}"
        ))
    })?;
    let chunk = bytes::Bytes::copy_from_slice(body);
    let stream =
        futures_util::stream::once(async move { Ok::<_, std::convert::Infallible>(chunk) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    // The whole body is in memory, so every step completes on its first poll.
    let pending = || ApiError::ParseError("Multipart form parse error - incomplete body".into());
    let mut pairs = Vec::new();
    while let Some(field) = multipart
        .next_field()
        .now_or_never()
        .ok_or_else(pending)?
        .map_err(invalid)?
    {
        let name = field.name().unwrap_or_default().to_string();
        if field.file_name().is_some() {
            continue;
        }
        let text = field
            .text()
            .now_or_never()
            .ok_or_else(pending)?
            .map_err(invalid)?;
        pairs.push((name, text));
    }
    Ok(collect_fields(pairs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_errors_match_drf() {
        let err = parse(Some("application/json"), b"not json").unwrap_err();
        assert!(err.detail().starts_with("JSON parse error - "));
        let err = parse(Some("application/json"), b"[1]").unwrap_err();
        let ApiError::Validation(errors) = err else {
            panic!("expected validation")
        };
        assert_eq!(
            serde_json::to_string(&errors).unwrap(),
            r#"{"non_field_errors":["Invalid data. Expected a dictionary, but got list."]}"#
        );
        let multipart = "--XyZ\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nHello\r\n--XyZ\r\nContent-Disposition: form-data; name=\"tags\"\r\n\r\n3\r\n--XyZ\r\nContent-Disposition: form-data; name=\"tags\"\r\n\r\n4\r\n--XyZ--\r\n";
        let data = parse(
            Some("multipart/form-data; boundary=XyZ"),
            multipart.as_bytes(),
        )
        .unwrap();
        assert_eq!(
            serde_json::Value::Object(data),
            serde_json::json!({"title": "Hello", "tags": ["3", "4"]})
        );
        assert!(parse(Some("multipart/form-data"), b"x").is_err());
        let err = parse(Some("text/plain"), b"x").unwrap_err();
        assert_eq!(
            err.detail(),
            "Unsupported media type \"text/plain\" in request."
        );
        assert!(parse(Some("application/json"), b"").unwrap().is_empty());
    }
}
