//! drf-spectacular's rendering of the document poem-openapi writes: the same objects, with
//! drf-spectacular's key order and defaults, so the two documents compare equal.
//!
//! - the root is `openapi` (3.0.3), `info` (`title`, `version`, `description`), `paths`
//!   (sorted, as `SORT_OPERATIONS`), `components` (`schemas`, `securitySchemes`); poem's empty
//!   `servers` and `tags` are left out;
//! - an operation is `operationId`, `description`, `summary`, `parameters`, `tags`,
//!   `requestBody` (`required` only when true), `security`, `responses` (`content` before
//!   `description`);
//! - a parameter of DRF's own classes (pagination, search, ordering: a query parameter with a
//!   description and no style) keeps DRF's dict order `name`, `required`, `in`,
//!   `description`, `schema`; the others are drf-spectacular's `build_parameter_type`: `in`,
//!   `name`, `schema`, `description`, `required` (when true), `explode` and `style` (when a
//!   style is set);
//! - an object schema is `type`, `description`, `properties`, `required`; integers carry no
//!   `int64` format (Django's integer fields), and a `$ref` with flags is
//!   `{"allOf": [{"$ref"}], "readOnly": true}` (poem repeats the flags inside `allOf`).

use super::SecurityScheme;
use serde_json::{Map, Value};

/// The document in drf-spectacular's shape, with `description` in `info` and the security
/// schemes of the authentication classes.
pub(super) fn reshape(spec: Value, description: Option<&str>, schemes: &[SecurityScheme]) -> Value {
    let Value::Object(mut root) = spec else {
        return spec;
    };
    let mut document = Map::new();
    document.insert("openapi".into(), "3.0.3".into());
    if let Some(Value::Object(mut info)) = root.remove("info") {
        if let Some(description) = description {
            info.insert("description".into(), description.into());
        }
        document.insert(
            "info".into(),
            ordered(info, &["title", "version", "description"]).into(),
        );
    }
    let mut components = match root.remove("components") {
        Some(Value::Object(components)) => components,
        _ => Map::new(),
    };
    let schemas = match components.remove("schemas") {
        Some(Value::Object(schemas)) => schemas
            .into_iter()
            .map(|(name, value)| {
                let value = component(&name, value);
                (name, value)
            })
            .collect(),
        _ => Map::new(),
    };
    if let Some(Value::Object(paths)) = root.remove("paths") {
        let mut sorted: Vec<(String, Value)> = paths.into_iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        let paths: Map<String, Value> = sorted
            .into_iter()
            .map(|(path, item)| (path, map_object(item, |_, op| operation(op, &schemas))))
            .collect();
        document.insert("paths".into(), paths.into());
    }
    let mut reshaped = Map::new();
    if !schemas.is_empty() {
        reshaped.insert("schemas".into(), schemas.into());
    }
    components.remove("securitySchemes");
    let mut schemes: Vec<&SecurityScheme> = schemes.iter().collect();
    schemes.sort_by(|a, b| a.name.cmp(&b.name));
    if !schemes.is_empty() {
        let definitions: Map<String, Value> = schemes
            .into_iter()
            .map(|scheme| (scheme.name.clone(), scheme.definition.clone()))
            .collect();
        reshaped.insert("securitySchemes".into(), definitions.into());
    }
    reshaped.extend(components);
    if !reshaped.is_empty() {
        document.insert("components".into(), reshaped.into());
    }
    // Anything else poem writes, unless empty (`servers: []`, `tags: []`).
    for (key, value) in root {
        let empty = match &value {
            Value::Array(items) => items.is_empty(),
            Value::Object(map) => map.is_empty(),
            _ => false,
        };
        if !empty && key != "openapi" {
            document.insert(key, value);
        }
    }
    Value::Object(document)
}

/// `object` with `order`'s keys first, in that order, then the others as they were.
fn ordered(mut object: Map<String, Value>, order: &[&str]) -> Map<String, Value> {
    let mut result = Map::new();
    for key in order {
        if let Some(value) = object.remove(*key) {
            result.insert((*key).to_string(), value);
        }
    }
    result.extend(object);
    result
}

/// Each value of an object through `f` (other values unchanged).
fn map_object(value: Value, f: impl Fn(&str, Value) -> Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(key, value)| {
                    let value = f(&key, value);
                    (key, value)
                })
                .collect(),
        ),
        other => other,
    }
}

/// Each element of an array through `f`.
fn map_array(value: Value, f: impl Fn(Value) -> Value) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.into_iter().map(f).collect()),
        other => other,
    }
}

/// Removes `key` when it holds `value` (poem writes some defaults out).
fn remove_if(object: &mut Map<String, Value>, key: &str, value: &Value) {
    if object.get(key) == Some(value) {
        object.remove(key);
    }
}

fn operation(op: Value, schemas: &Map<String, Value>) -> Value {
    let Value::Object(mut op) = op else {
        return op;
    };
    remove_if(&mut op, "deprecated", &Value::Bool(false));
    if let Some(params) = op.remove("parameters") {
        op.insert("parameters".into(), map_array(params, parameter));
    }
    if let Some(Value::Object(mut body)) = op.remove("requestBody") {
        body.remove("required");
        if body_required(&body, schemas) {
            body.insert("required".into(), true.into());
        }
        if let Some(content) = body.remove("content") {
            body.insert("content".into(), media_types(content));
        }
        op.insert(
            "requestBody".into(),
            ordered(body, &["content", "required"]).into(),
        );
    }
    if let Some(responses) = op.remove("responses") {
        let responses = map_object(responses, |_, response| match response {
            Value::Object(mut response) => {
                if let Some(content) = response.remove("content") {
                    response.insert("content".into(), media_types(content));
                }
                ordered(response, &["content", "description"]).into()
            }
            other => other,
        });
        op.insert("responses".into(), responses);
    }
    ordered(
        op,
        &[
            "operationId",
            "description",
            "summary",
            "parameters",
            "tags",
            "deprecated",
            "requestBody",
            "security",
            "responses",
        ],
    )
    .into()
}

/// drf-spectacular's rule: a request body is required when its component has a required
/// property that is not read-only.
fn body_required(body: &Map<String, Value>, schemas: &Map<String, Value>) -> bool {
    let reference = body
        .get("content")
        .and_then(Value::as_object)
        .and_then(|content| content.values().next())
        .and_then(|media| media.pointer("/schema/$ref"))
        .and_then(Value::as_str);
    let Some(component) = reference
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
        .and_then(|name| schemas.get(name))
    else {
        return false;
    };
    let required = component.get("required").and_then(Value::as_array);
    required.into_iter().flatten().any(|name| {
        let property = name
            .as_str()
            .and_then(|name| component.get("properties")?.get(name));
        property.and_then(|p| p.get("readOnly")) != Some(&Value::Bool(true))
    })
}

/// A component: [`schema`], except the paginators' response objects (`Paginated…List`),
/// which keep the key order of DRF's `get_paginated_response_schema` dict (`type`,
/// `required`, `properties`).
fn component(name: &str, value: Value) -> Value {
    let paginated = name.starts_with("Paginated") && name.ends_with("List");
    match schema(value) {
        Value::Object(mut object) if paginated => {
            if let Some(properties) = object.remove("properties") {
                let properties = map_object(properties, |_, property| match property {
                    Value::Object(property) => ordered(
                        property,
                        &["type", "nullable", "format", "example", "items"],
                    )
                    .into(),
                    other => other,
                });
                object.insert("properties".into(), properties);
            }
            ordered(object, &["type", "required", "properties"]).into()
        }
        other => other,
    }
}

/// The schemas of a `content` object.
fn media_types(content: Value) -> Value {
    map_object(content, |_, media| {
        map_object(media, |key, value| {
            if key == "schema" {
                schema(value)
            } else {
                value
            }
        })
    })
}

fn parameter(param: Value) -> Value {
    let Value::Object(mut param) = param else {
        return param;
    };
    remove_if(&mut param, "deprecated", &Value::Bool(false));
    if let Some(value) = param.remove("schema") {
        param.insert("schema".into(), schema(value));
    }
    let styled = param.contains_key("style");
    if !styled {
        param.remove("explode");
    }
    let drf_own = param.get("in") == Some(&Value::from("query"))
        && !styled
        && param.contains_key("description");
    if drf_own {
        return ordered(param, &["name", "required", "in", "description", "schema"]).into();
    }
    remove_if(&mut param, "required", &Value::Bool(false));
    ordered(
        param,
        &[
            "in",
            "name",
            "schema",
            "description",
            "required",
            "deprecated",
            "explode",
            "style",
        ],
    )
    .into()
}

fn schema(value: Value) -> Value {
    let Value::Object(mut object) = value else {
        return value;
    };
    remove_if(&mut object, "format", &Value::from("int64"));
    // poem-openapi names chrono's naive types' formats; drf-spectacular writes OpenAPI's.
    if let Some(format) = object.get_mut("format") {
        let openapi = match format.as_str() {
            Some("naive-date") => Some("date"),
            Some("naive-time") => Some("time"),
            Some("naive-date-time") => Some("date-time"),
            _ => None,
        };
        if let Some(openapi) = openapi {
            *format = Value::from(openapi);
        }
    }
    if let Some(Value::Array(all_of)) = object.remove("allOf") {
        // poem's merge of a `$ref` with flags repeats them inside `allOf`.
        let kept: Vec<Value> = all_of
            .into_iter()
            .filter(|member| match member {
                Value::Object(flags) if !flags.contains_key("$ref") => {
                    !flags.iter().all(|(k, v)| object.get(k) == Some(v))
                }
                _ => true,
            })
            .map(schema)
            .collect();
        object.insert("allOf".into(), kept.into());
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(inner) = object.remove(key) {
            object.insert(key.into(), schema(inner));
        }
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(inner) = object.remove(key) {
            object.insert(key.into(), map_array(inner, schema));
        }
    }
    if let Some(properties) = object.remove("properties") {
        object.insert(
            "properties".into(),
            map_object(properties, |_, p| schema(p)),
        );
    }
    if object.contains_key("properties") || object.get("type") == Some(&Value::from("object")) {
        return ordered(
            object,
            &[
                "type",
                "description",
                "properties",
                "additionalProperties",
                "required",
            ],
        )
        .into();
    }
    // A field: its type, then drf-spectacular's field meta, then the validators' keys.
    ordered(
        object,
        &[
            "type",
            "format",
            "items",
            "$ref",
            "allOf",
            "oneOf",
            "anyOf",
            "enum",
            "readOnly",
            "writeOnly",
            "nullable",
            "default",
            "title",
            "description",
            "maxLength",
            "minLength",
            "maximum",
            "minimum",
            "pattern",
        ],
    )
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn keys(value: &Value) -> Vec<&str> {
        value
            .as_object()
            .map(|o| o.keys().map(String::as_str).collect())
            .unwrap_or_default()
    }

    #[test]
    fn the_root_is_drf_spectacular_s() {
        let spec = json!({
            "openapi": "3.0.0",
            "info": {"title": "T", "version": "1"},
            "servers": [],
            "tags": [],
            "paths": {"/b/": {}, "/a/": {}},
            "components": {}
        });
        let schemes = [SecurityScheme::basic("basicAuth")];
        let doc = reshape(spec, Some("About"), &schemes);
        assert_eq!(keys(&doc), ["openapi", "info", "paths", "components"]);
        assert_eq!(doc["openapi"], "3.0.3");
        assert_eq!(keys(&doc["info"]), ["title", "version", "description"]);
        assert_eq!(keys(&doc["paths"]), ["/a/", "/b/"]);
        assert_eq!(
            doc["components"]["securitySchemes"]["basicAuth"],
            json!({"type": "http", "scheme": "basic"})
        );
    }

    #[test]
    fn parameters_keep_their_source_s_order() {
        let page = json!({"name": "page", "schema": {"type": "integer", "format": "int64"},
            "in": "query", "description": "A page number.", "required": false,
            "deprecated": false, "explode": true});
        let page = parameter(page);
        assert_eq!(
            keys(&page),
            ["name", "required", "in", "description", "schema"]
        );
        assert_eq!(page["schema"], json!({"type": "integer"}));
        let tags = json!({"name": "tags", "schema": {"type": "array"}, "in": "query",
            "required": false, "deprecated": false, "explode": true, "style": "form"});
        assert_eq!(
            keys(&parameter(tags)),
            ["in", "name", "schema", "explode", "style"]
        );
        let id = json!({"name": "id", "schema": {"type": "integer"}, "in": "path",
            "description": "A unique integer value identifying this tag.", "required": true,
            "deprecated": false, "explode": true});
        assert_eq!(
            keys(&parameter(id)),
            ["in", "name", "schema", "description", "required"]
        );
    }

    #[test]
    fn a_body_is_required_when_a_required_property_is_writable() {
        let schemas: Map<String, Value> = serde_json::from_value(json!({
            "Tag": {"properties": {"id": {"readOnly": true}, "name": {}},
                    "required": ["id", "name"]},
            "User": {"properties": {"pk": {"readOnly": true}}, "required": ["pk"]},
            "PatchedTag": {"properties": {"name": {}}}
        }))
        .unwrap_or_default();
        let body = |name: &str| -> Map<String, Value> {
            serde_json::from_value(json!({"content": {"application/json": {
                "schema": {"$ref": format!("#/components/schemas/{name}")}}}}))
            .unwrap_or_default()
        };
        assert!(body_required(&body("Tag"), &schemas));
        assert!(!body_required(&body("User"), &schemas));
        assert!(!body_required(&body("PatchedTag"), &schemas));
    }

    #[test]
    fn a_reference_with_flags_is_all_of_the_reference() {
        let property = json!({"readOnly": true,
            "allOf": [{"$ref": "#/components/schemas/Author"}, {"readOnly": true}]});
        assert_eq!(
            schema(property),
            json!({"allOf": [{"$ref": "#/components/schemas/Author"}], "readOnly": true})
        );
        let object = json!({"type": "object", "required": ["a"], "properties": {"a": {}},
            "description": "D"});
        assert_eq!(
            keys(&schema(object)),
            ["type", "description", "properties", "required"]
        );
    }
}
