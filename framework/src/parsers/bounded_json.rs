//! serde_json's `Value`, read with a budget of values.
//!
//! A `Value` takes 32 bytes or more per element however short its text is (`0,` is two bytes),
//! so a body of a few megabytes of tiny values would need ~16 times its size in memory. Reading
//! it with a budget ([`ParserLimits::max_json_values`](super::ParserLimits)) stops as soon as
//! the body holds more values than that, before they are built: a request's memory stays a
//! small multiple of its body.

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::cell::Cell;
use std::fmt;

/// Why [`from_slice`] refused a body.
#[derive(Debug)]
pub enum BoundedError {
    /// Not JSON (serde_json's error).
    Syntax(serde_json::Error),
    /// Valid so far, but with more values than the budget.
    TooManyValues,
}

/// Parses `body` into a `Value` of at most `max_values` values (scalars, arrays and objects
/// each count one; object keys do not); `None`: no budget.
pub fn from_slice(body: &[u8], max_values: Option<usize>) -> Result<Value, BoundedError> {
    let Some(max_values) = max_values else {
        return serde_json::from_slice(body).map_err(BoundedError::Syntax);
    };
    let budget = Budget {
        left: Cell::new(max_values),
        exceeded: Cell::new(false),
    };
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let parsed = ValueSeed(&budget)
        .deserialize(&mut deserializer)
        .and_then(|value| deserializer.end().map(|()| value));
    match parsed {
        Ok(value) => Ok(value),
        Err(_) if budget.exceeded.get() => Err(BoundedError::TooManyValues),
        Err(err) => Err(BoundedError::Syntax(err)),
    }
}

struct Budget {
    left: Cell<usize>,
    exceeded: Cell<bool>,
}

impl Budget {
    /// Takes one value from the budget; an error once it is spent.
    fn take<E: de::Error>(&self) -> Result<(), E> {
        match self.left.get().checked_sub(1) {
            Some(left) => {
                self.left.set(left);
                Ok(())
            }
            None => {
                self.exceeded.set(true);
                Err(E::custom("too many values"))
            }
        }
    }
}

/// Builds one `Value`, as serde_json's own `Deserialize for Value`, taking from the budget.
#[derive(Clone, Copy)]
struct ValueSeed<'a>(&'a Budget);

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_> {
    type Value = Value;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("any valid JSON value")
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Value, E> {
        self.0.take()?;
        Ok(Value::Bool(value))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Value, E> {
        self.0.take()?;
        Ok(Value::Number(value.into()))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Value, E> {
        self.0.take()?;
        Ok(Value::Number(value.into()))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Value, E> {
        self.0.take()?;
        Ok(Number::from_f64(value).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Value, E> {
        self.0.take()?;
        Ok(Value::String(value.to_owned()))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<Value, E> {
        self.0.take()?;
        Ok(Value::String(value))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        self.0.take()?;
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        self.visit_unit()
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        self.0.take()?;
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        self.0.take()?;
        let mut map = Map::new();
        while let Some(key) = access.next_key::<String>()? {
            let value = access.next_value_seed(self)?;
            map.insert(key, value);
        }
        Ok(Value::Object(map))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_serde_json_reads() {
        let body = br#"{"a": [1, -2, 3.5, "x", true, null, {"b": {}}], "c": "\u00e9"}"#;
        let value = from_slice(body, Some(100)).expect("valid");
        assert_eq!(value, serde_json::from_slice::<Value>(body).expect("valid"));
        // Later keys win, as in serde_json.
        assert_eq!(
            from_slice(br#"{"a": 1, "a": 2}"#, Some(10)).expect("valid"),
            serde_json::json!({"a": 2})
        );
    }

    #[test]
    fn the_budget_counts_values() {
        // 1 object + 1 array + 3 numbers.
        let body = br#"{"a": [1, 2, 3]}"#;
        assert!(from_slice(body, Some(5)).is_ok());
        assert!(matches!(
            from_slice(body, Some(4)),
            Err(BoundedError::TooManyValues)
        ));
        assert!(from_slice(body, None).is_ok());
    }

    #[test]
    fn syntax_errors_stay_serde_jsons() {
        let Err(BoundedError::Syntax(err)) = from_slice(b"[1,]", Some(10)) else {
            panic!("expected a syntax error")
        };
        assert_eq!(
            err.to_string(),
            serde_json::from_slice::<Value>(b"[1,]")
                .unwrap_err()
                .to_string()
        );
        assert!(matches!(
            from_slice(b"{} x", Some(10)),
            Err(BoundedError::Syntax(_))
        ));
        let deep = "[".repeat(100_000);
        assert!(matches!(
            from_slice(deep.as_bytes(), Some(1_000_000)),
            Err(BoundedError::Syntax(_))
        ));
    }
}
