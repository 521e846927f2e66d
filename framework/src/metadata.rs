//! OPTIONS metadata (DRF's `rest_framework.metadata.SimpleMetadata`): the view's name and
//! media types, and for users allowed to write, each writable method's serializer fields.

use crate::description::{FieldDescription, FieldKind, TextPattern};
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

/// DRF's `SimpleMetadata.get_serializer_info`: every field of a serializer's description
/// (a plain [`Serializer`](crate::serializers::Serializer)'s OPTIONS), in order.
pub fn serializer_info(fields: &[FieldDescription]) -> Vec<(&'static str, FieldInfo)> {
    fields_info(fields, true)
}

/// What a `ModelSerializer`'s OPTIONS has always shown: [`serializer_info`] without the
/// write-only fields (here and in nested serializers).
#[doc(hidden)] // Called by generated code, through `crate::__private`.
pub fn model_serializer_info(fields: &[FieldDescription]) -> Vec<(&'static str, FieldInfo)> {
    fields_info(fields, false)
}

fn fields_info(fields: &[FieldDescription], write_only: bool) -> Vec<(&'static str, FieldInfo)> {
    fields
        .iter()
        .filter(|field| write_only || !field.write_only)
        .map(|field| (field.key, info(field, write_only)))
        .collect()
}

/// DRF's `SimpleMetadata.get_field_info` for one field.
pub fn field_info(field: &FieldDescription) -> FieldInfo {
    info(field, true)
}

fn info(field: &FieldDescription, write_only: bool) -> FieldInfo {
    let field_type = match field.kind {
        // DRF's `EmailField` and `URLField`, whatever the Rust type.
        FieldKind::Value { .. } if field.email => "email",
        FieldKind::Value { .. } if field.url => "url",
        FieldKind::Value { .. } if field.pattern == Some(TextPattern::Slug) => "slug",
        FieldKind::Value { .. } if field.pattern.is_some() => "regex",
        FieldKind::Value { type_name } => type_name,
        FieldKind::NestedOne(_) => "nested object",
        FieldKind::Relation | FieldKind::NestedMany(_) => "field",
    };
    let mut info = FieldInfo::new(
        field_type,
        field.required,
        field.read_only,
        Some(field.label),
    );
    let options = &field.options;
    info.max_length = options.max_length;
    info.min_length = options.min_length;
    info.min_value = options.min_value;
    info.max_value = options.max_value;
    match field.kind {
        FieldKind::NestedOne(children) => {
            info.children = Some(fields_info(children(), write_only));
        }
        FieldKind::NestedMany(children) => {
            // A `ListSerializer`'s child: the nested serializer itself.
            let mut child = FieldInfo::new("nested object", false, true, None);
            child.children = Some(fields_info(children(), write_only));
            info.child = Some(Box::new(child));
        }
        FieldKind::Value { .. } | FieldKind::Relation => {}
    }
    info
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::description::{FieldDescription, FieldKind};
    use crate::fields::FieldOptions;

    const fn described(
        key: &'static str,
        label: &'static str,
        kind: FieldKind,
    ) -> FieldDescription {
        FieldDescription::for_tests(key, label, kind)
    }

    const CHILD: &[FieldDescription] = &[
        FieldDescription {
            read_only: true,
            required: false,
            ..described(
                "id",
                "ID",
                FieldKind::Value {
                    type_name: "integer",
                },
            )
        },
        FieldDescription {
            write_only: true,
            ..described(
                "secret",
                "Secret",
                FieldKind::Value {
                    type_name: "string",
                },
            )
        },
    ];

    fn child() -> &'static [FieldDescription] {
        CHILD
    }

    const PARENT: &[FieldDescription] = &[
        FieldDescription {
            options: FieldOptions {
                max_length: Some(100),
                min_length: Some(2),
                ..FieldOptions::DEFAULT
            },
            ..described(
                "title",
                "Title",
                FieldKind::Value {
                    type_name: "string",
                },
            )
        },
        // The validator wins over the type's name.
        FieldDescription {
            email: true,
            ..described(
                "email",
                "Email address",
                FieldKind::Value {
                    type_name: "string",
                },
            )
        },
        FieldDescription {
            options: FieldOptions {
                min_value: Some(1.0),
                max_value: Some(2.5),
                ..FieldOptions::DEFAULT
            },
            ..described("rank", "Rank", FieldKind::Value { type_name: "field" })
        },
        FieldDescription {
            required: false,
            ..described("tags", "Tags", FieldKind::Relation)
        },
        FieldDescription {
            read_only: true,
            required: false,
            ..described("author", "Author", FieldKind::NestedOne(child))
        },
        FieldDescription {
            read_only: true,
            required: false,
            ..described("notes", "Notes", FieldKind::NestedMany(child))
        },
        FieldDescription {
            write_only: true,
            ..described(
                "password",
                "Password",
                FieldKind::Value {
                    type_name: "string",
                },
            )
        },
    ];

    #[test]
    fn serializer_info_is_drfs_simple_metadata() {
        let info = serde_json::to_value(Fields(&serializer_info(PARENT))).unwrap();
        let child = serde_json::json!({
            "id": {"type": "integer", "required": false, "read_only": true, "label": "ID"},
            "secret": {"type": "string", "required": true, "read_only": false, "label": "Secret"},
        });
        assert_eq!(
            info,
            serde_json::json!({
                "title": {"type": "string", "required": true, "read_only": false, "label": "Title", "min_length": 2, "max_length": 100},
                "email": {"type": "email", "required": true, "read_only": false, "label": "Email address"},
                "rank": {"type": "field", "required": true, "read_only": false, "label": "Rank", "min_value": 1, "max_value": 2.5},
                "tags": {"type": "field", "required": false, "read_only": false, "label": "Tags"},
                "author": {"type": "nested object", "required": false, "read_only": true, "label": "Author", "children": child},
                "notes": {"type": "field", "required": false, "read_only": true, "label": "Notes", "child": {
                    "type": "nested object", "required": false, "read_only": true, "children": child,
                }},
                "password": {"type": "string", "required": true, "read_only": false, "label": "Password"},
            })
        );
        let keys: Vec<_> = serializer_info(PARENT)
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(
            keys,
            [
                "title", "email", "rank", "tags", "author", "notes", "password"
            ]
        );
        assert_eq!(field_info(&PARENT[1]).field_type, "email");
    }

    /// A `ModelSerializer`'s OPTIONS leave write-only fields out, nested ones too.
    #[test]
    fn model_serializer_info_leaves_write_only_fields_out() {
        let info = model_serializer_info(PARENT);
        let keys: Vec<_> = info.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, ["title", "email", "rank", "tags", "author", "notes"]);
        let children = info[4].1.children.as_ref().unwrap();
        assert_eq!(children.len(), 1);
        assert_eq!(children[0].0, "id");
        let list_child = info[5].1.child.as_ref().unwrap();
        assert_eq!(list_child.children.as_ref().unwrap().len(), 1);
    }
}
