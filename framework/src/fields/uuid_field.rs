//! DRF's `UUIDField` for `uuid::Uuid`, with its default `format = 'hex_verbose'`.

use super::{FieldOptions, FieldType, Representation, messages};
use serde::ser::Serializer;
use serde_json::Value;
use uuid::Uuid;

/// Python's `uuid.UUID(hex=text)`: `urn:` and `uuid:` removed, braces stripped, hyphens
/// removed, then exactly 32 hexadecimal digits.
fn parse_hex(text: &str) -> Option<Uuid> {
    let text = text.replace("urn:", "").replace("uuid:", "");
    let hex: String = text
        .trim_matches(|c| c == '{' || c == '}')
        .chars()
        .filter(|c| *c != '-')
        .collect();
    if hex.len() != 32 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    Uuid::from_slice(&u128::from_str_radix(&hex, 16).ok()?.to_be_bytes()).ok()
}

/// DRF reads a string as `uuid.UUID(hex=...)` and an integer (a JSON `true`/`false` too, as
/// Python's `bool` is an `int`) as `uuid.UUID(int=...)`.
impl FieldType for Uuid {
    fn to_internal(value: &Value, _options: &FieldOptions) -> Result<Self, Vec<String>> {
        match value {
            Value::String(text) => parse_hex(text),
            Value::Number(n) => n.as_u64().map(|n| Uuid::from_u128(u128::from(n))),
            Value::Bool(b) => Some(Uuid::from_u128(u128::from(*b))),
            _ => None,
        }
        .ok_or_else(|| vec![messages::INVALID_UUID.to_string()])
    }
}

/// `hex_verbose`: the hyphenated lowercase form.
impl Representation for Uuid {
    fn represent<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.hyphenated().encode_lower(&mut Uuid::encode_buffer()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_forms_python_accepts() {
        let expected = "825d7aeb-05a9-45b5-a5b7-05df87923cda";
        for text in [
            "825d7aeb-05a9-45b5-a5b7-05df87923cda",
            "825d7aeb05a945b5a5b705df87923cda",
            "{825d7aeb-05a9-45b5-a5b7-05df87923cda}",
            "urn:uuid:825d7aeb-05a9-45b5-a5b7-05df87923cda",
            "825D7AEB-05A9-45B5-A5B7-05DF87923CDA",
        ] {
            assert_eq!(
                parse_hex(text).map(|u| u.to_string()).as_deref(),
                Some(expected),
                "{text}"
            );
        }
        assert_eq!(parse_hex("825d7aeb-05a9-45b5-a5b7"), None);
        assert_eq!(parse_hex("825d7aeb-05a9-45b5-a5b7-05df87923cdx"), None);
    }
}
