//! OPTIONS metadata (DRF's `rest_framework.metadata.SimpleMetadata`): the view's name and
//! media types, and for users allowed to write, each writable method's serializer fields.

use serde::ser::{Serialize, SerializeMap, Serializer};

/// What OPTIONS says about one serializer field, in DRF's key order.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldInfo {
    /// DRF's type name: `integer`, `string`, `email`, `datetime`, `boolean`, `float`, `url`,
    /// `field` (relations, lists) or `nested object`.
    pub field_type: &'static str,
    /// Must be sent on create.
    pub required: bool,
    /// Output only.
    pub read_only: bool,
    /// Human label (`Created at`); a list's child has none.
    pub label: Option<&'static str>,
    /// CharField's `min_length`.
    pub min_length: Option<usize>,
    /// CharField's `max_length`.
    pub max_length: Option<usize>,
    /// Number bounds.
    pub min_value: Option<f64>,
    /// Number bounds.
    pub max_value: Option<f64>,
    /// A list's item.
    pub child: Option<Box<FieldInfo>>,
    /// A nested serializer's fields.
    pub children: Option<Vec<(&'static str, FieldInfo)>>,
}

impl FieldInfo {
    /// A field of `field_type` with nothing else set.
    pub fn new(
        field_type: &'static str,
        required: bool,
        read_only: bool,
        label: Option<&'static str>,
    ) -> Self {
        FieldInfo {
            field_type,
            required,
            read_only,
            label,
            min_length: None,
            max_length: None,
            min_value: None,
            max_value: None,
            child: None,
            children: None,
        }
    }
}

/// Python prints `max_value=10` as `10`, not `10.0`.
struct Number(f64);

impl Serialize for Number {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.0.fract() == 0.0 && self.0.abs() < 9.0e15 {
            serializer.serialize_i64(self.0 as i64)
        } else {
            serializer.serialize_f64(self.0)
        }
    }
}

/// A list of `(name, info)` written as a JSON object.
pub struct Fields<'a>(pub &'a [(&'static str, FieldInfo)]);

impl Serialize for Fields<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, info) in self.0 {
            map.serialize_entry(name, info)?;
        }
        map.end()
    }
}

impl Serialize for FieldInfo {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("type", self.field_type)?;
        map.serialize_entry("required", &self.required)?;
        map.serialize_entry("read_only", &self.read_only)?;
        if let Some(label) = self.label {
            map.serialize_entry("label", label)?;
        }
        if let Some(n) = self.min_length {
            map.serialize_entry("min_length", &n)?;
        }
        if let Some(n) = self.max_length {
            map.serialize_entry("max_length", &n)?;
        }
        if let Some(n) = self.min_value {
            map.serialize_entry("min_value", &Number(n))?;
        }
        if let Some(n) = self.max_value {
            map.serialize_entry("max_value", &Number(n))?;
        }
        if let Some(child) = &self.child {
            map.serialize_entry("child", child)?;
        } else if let Some(children) = &self.children {
            map.serialize_entry("children", &Fields(children))?;
        }
        map.end()
    }
}
