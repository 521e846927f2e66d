//! DRF's relational fields on the way in: primary keys and slugs read from a request body
//! (each checked against its table with one query), nested writes, uniqueness checks, and
//! many-to-many links saved in the serializer's transaction. The way out (loading the related
//! rows of a page) is `crate::query`'s.

use crate::exceptions::{ApiError, ApiResult, ErrorDetail, NON_FIELD_ERRORS, ValidationErrors};
use crate::fields::{messages, python_type_name};
use crate::models::{ModelMeta, pk_column, pk_of};
use crate::query::related::unary;
use crate::serializers::{ModelSerializer, Save, SerializerContext};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait,
    IdenStatic, Iterable, QueryFilter, QuerySelect, Related,
};
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// Reads a writable to-many primary-key field (`"tags": [3, "4"]`) as DRF's
/// `PrimaryKeyRelatedField(many=True, queryset=...)` does, checking existence with one query.
///
/// Returns `Some(ids)` when the field was given and valid.
pub async fn parse_pks_many<T: ModelMeta>(
    data: &serde_json::Map<String, Value>,
    name: &str,
    required: bool,
    db: &impl ConnectionTrait,
    errors: &mut ValidationErrors,
) -> ApiResult<Option<Vec<i64>>> {
    let Some(items) = list_input(data, name, required, errors) else {
        return Ok(None);
    };
    // DRF checks item by item and stops at the first failure; we check types first, then
    // existence of the ids before the first bad item in one query, and report the earliest.
    let mut ids = Vec::with_capacity(items.len());
    let mut type_error = None;
    for item in items {
        match pk_from_value(item) {
            Ok(id) => ids.push((id, item)),
            Err(message) => {
                type_error = Some(message);
                break;
            }
        }
    }
    if !ids.is_empty() {
        let wanted: Vec<i64> = ids.iter().map(|(id, _)| *id).collect();
        let found = crate::db::existing_pks::<T>(db, &wanted).await?;
        if let Some((_, item)) = ids.iter().find(|(id, _)| !found.contains(id)) {
            let shown = match item {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            errors.add(name, messages::pk_does_not_exist(&shown));
            return Ok(None);
        }
    }
    if let Some(message) = type_error {
        errors.add(name, message);
        return Ok(None);
    }
    // First occurrences, in order (a set: a list of thousands must not cost its square).
    let mut seen = HashSet::with_capacity(ids.len());
    let unique = ids
        .into_iter()
        .map(|(id, _)| id)
        .filter(|id| seen.insert(*id))
        .collect();
    Ok(Some(unique))
}

/// What the request says about a single relation field, before any lookup.
enum RelationInput<'a> {
    /// Absent, or refused (`null` when not allowed): nothing to write.
    Skip,
    /// An accepted `null`.
    Null,
    Value(&'a Value),
}

fn relation_input<'a>(
    data: &'a serde_json::Map<String, Value>,
    name: &str,
    required: bool,
    allow_null: bool,
    errors: &mut ValidationErrors,
) -> RelationInput<'a> {
    match data.get(name) {
        None => {
            if required {
                errors.add(name, messages::REQUIRED);
            }
            RelationInput::Skip
        }
        // DRF's RelatedField reads "" as null.
        Some(value) if value.is_null() || value == "" => {
            if allow_null {
                RelationInput::Null
            } else {
                errors.add(name, messages::NULL);
                RelationInput::Skip
            }
        }
        Some(value) => RelationInput::Value(value),
    }
}

/// A writable forward foreign key as its primary key (DRF's
/// `PrimaryKeyRelatedField(queryset=...)`): `Some(Some(pk))` when given and the row exists,
/// `Some(None)` for an accepted `null`, `None` when absent or invalid (errors recorded).
pub async fn parse_pk<T: ModelMeta>(
    data: &serde_json::Map<String, Value>,
    name: &str,
    required: bool,
    allow_null: bool,
    db: &impl ConnectionTrait,
    errors: &mut ValidationErrors,
) -> ApiResult<Option<Option<i64>>> {
    let value = match relation_input(data, name, required, allow_null, errors) {
        RelationInput::Skip => return Ok(None),
        RelationInput::Null => return Ok(Some(None)),
        RelationInput::Value(value) => value,
    };
    let pk = match pk_from_value(value) {
        Ok(pk) => pk,
        Err(message) => {
            errors.add(name, message);
            return Ok(None);
        }
    };
    let exists = T::find()
        .select_only()
        .column(pk_column::<T>())
        .filter(pk_column::<T>().eq(pk))
        .into_tuple::<i64>()
        .one(db)
        .await?
        .is_some();
    if !exists {
        errors.add(name, messages::pk_does_not_exist(&shown(value)));
        return Ok(None);
    }
    Ok(Some(Some(pk)))
}

/// How DRF prints a submitted value in a message (`smart_str`).
fn shown(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        other => other.to_string(),
    }
}

/// The text a slug lookup compares (Django converts numbers and booleans to text for a
/// `CharField`); lists and objects cannot be looked up (`Invalid value.`).
fn slug_text(value: &Value) -> Option<String> {
    match value {
        Value::Array(_) | Value::Object(_) | Value::Null => None,
        other => Some(shown(other)),
    }
}

/// Primary keys of the rows whose `column` holds each of `slugs` (first match wins).
async fn pks_by_slug<T: ModelMeta>(
    db: &impl ConnectionTrait,
    column: T::Column,
    slugs: &[String],
) -> ApiResult<HashMap<String, i64>> {
    let mut found = HashMap::with_capacity(slugs.len());
    for chunk in slugs.chunks(crate::db::MAX_BOUND_VALUES) {
        let rows: Vec<(i64, String)> = T::find()
            .select_only()
            .column(pk_column::<T>())
            .column(column)
            .filter(column.is_in(chunk.iter().cloned()))
            .into_tuple()
            .all(db)
            .await?;
        for (pk, slug) in rows {
            found.entry(slug).or_insert(pk);
        }
    }
    Ok(found)
}

/// A writable forward foreign key shown by a column of the related row (DRF's
/// `SlugRelatedField(slug_field="name", queryset=...)`). Returns as [`parse_pk`].
#[allow(clippy::too_many_arguments)]
pub async fn parse_slug<T: ModelMeta>(
    data: &serde_json::Map<String, Value>,
    name: &str,
    required: bool,
    allow_null: bool,
    column: T::Column,
    slug_name: &str,
    db: &impl ConnectionTrait,
    errors: &mut ValidationErrors,
) -> ApiResult<Option<Option<i64>>> {
    let value = match relation_input(data, name, required, allow_null, errors) {
        RelationInput::Skip => return Ok(None),
        RelationInput::Null => return Ok(Some(None)),
        RelationInput::Value(value) => value,
    };
    let Some(slug) = slug_text(value) else {
        errors.add(name, messages::INVALID_VALUE);
        return Ok(None);
    };
    let found = pks_by_slug::<T>(db, column, std::slice::from_ref(&slug)).await?;
    match found.get(&slug) {
        Some(pk) => Ok(Some(Some(*pk))),
        None => {
            errors.add(name, messages::slug_does_not_exist(slug_name, &slug));
            Ok(None)
        }
    }
}

/// The list a to-many field received, or `None` with DRF's error recorded: required but
/// missing, `null`, or not a list (`Expected a list of items but got type "str".`).
fn list_input<'a>(
    data: &'a serde_json::Map<String, Value>,
    name: &str,
    required: bool,
    errors: &mut ValidationErrors,
) -> Option<&'a Vec<Value>> {
    match data.get(name) {
        None => {
            if required {
                errors.add(name, messages::REQUIRED);
            }
            None
        }
        Some(Value::Null) => {
            errors.add(name, messages::NULL);
            None
        }
        Some(Value::Array(items)) => Some(items),
        Some(other) => {
            errors.add(name, messages::not_a_list(python_type_name(other)));
            None
        }
    }
}

/// A writable to-many relation by slugs (`"tags": ["rust", "web"]`), checked with one query;
/// like DRF, the first bad item is the field's only error. Returns the primary keys.
#[allow(clippy::too_many_arguments)]
pub async fn parse_slugs_many<T: ModelMeta>(
    data: &serde_json::Map<String, Value>,
    name: &str,
    required: bool,
    column: T::Column,
    slug_name: &str,
    db: &impl ConnectionTrait,
    errors: &mut ValidationErrors,
) -> ApiResult<Option<Vec<i64>>> {
    let Some(items) = list_input(data, name, required, errors) else {
        return Ok(None);
    };
    // Items up to the first one that cannot be looked up at all.
    let slugs: Vec<String> = items.iter().map_while(slug_text).collect();
    let found = pks_by_slug::<T>(db, column, &slugs).await?;
    let mut pks = Vec::with_capacity(items.len());
    let mut seen = HashSet::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let Some(slug) = slugs.get(index) else {
            errors.add(name, messages::INVALID_VALUE);
            return Ok(None);
        };
        match found.get(slug) {
            Some(pk) => {
                if seen.insert(*pk) {
                    pks.push(*pk);
                }
            }
            None => {
                errors.add(name, messages::slug_does_not_exist(slug_name, &shown(item)));
                return Ok(None);
            }
        }
    }
    Ok(Some(pks))
}

/// A foreign-key column's Rust type, set from a parsed relation (`i64`, or `Option<i64>`
/// for a nullable key).
pub trait ForeignKeyValue {
    /// The column value for a parsed key (`None`: null).
    fn from_pk(pk: Option<i64>) -> Self;
}

impl ForeignKeyValue for i64 {
    fn from_pk(pk: Option<i64>) -> Self {
        // `null` is refused for non-nullable keys before this is called.
        pk.unwrap_or_default()
    }
}

impl ForeignKeyValue for Option<i64> {
    fn from_pk(pk: Option<i64>) -> Self {
        pk
    }
}

/// DRF's `UniqueTogetherValidator`: no other row (the updated row excluded) may hold the
/// same values in `columns`. Skipped when a value is null or not known yet (a column the
/// view sets later). Records `The fields title, user must make a unique set.` under
/// `non_field_errors`.
pub async fn check_unique_together<E: ModelMeta>(
    db: &impl ConnectionTrait,
    model: &E::ActiveModel,
    columns: &[E::Column],
    fields: &[&str],
    instance: Option<&E::Model>,
    errors: &mut ValidationErrors,
) -> ApiResult<()> {
    use sea_orm::{ActiveModelTrait, ModelTrait};
    let mut query = E::find();
    for column in columns {
        let value = match model.get(*column).into_value() {
            Some(value) => value,
            None => match instance {
                Some(instance) => instance.get(*column),
                None => return Ok(()),
            },
        };
        if crate::models::value_is_null(&value) {
            return Ok(());
        }
        query = query.filter(column.eq(value));
    }
    if let Some(instance) = instance {
        query = query.filter(pk_column::<E>().ne(pk_of::<E>(instance)));
    }
    if sea_orm::PaginatorTrait::count(query, db).await? > 0 {
        errors.add(
            crate::exceptions::NON_FIELD_ERRORS,
            messages::not_unique_together(fields),
        );
    }
    Ok(())
}

fn pk_from_value(item: &Value) -> Result<i64, String> {
    match item {
        Value::Null => Err(messages::NULL.to_string()),
        Value::Number(n) => n
            .as_i64()
            .ok_or_else(|| messages::incorrect_pk_type(python_type_name(item))),
        Value::String(s) => s
            .trim()
            .parse::<i64>()
            .map_err(|_| messages::incorrect_pk_type("str")),
        other => Err(messages::incorrect_pk_type(python_type_name(other))),
    }
}

/// Replaces the many-to-many set of one row (`article.tags.set(ids)`): delete the junction
/// rows (unless the row was just `created`), insert the new ones. Run it inside the
/// transaction that saves the row.
pub async fn set_many_to_many<P, T>(
    db: &impl ConnectionTrait,
    pk: i64,
    ids: &[i64],
    created: bool,
) -> ApiResult<()>
where
    P: EntityTrait + Related<T>,
    T: EntityTrait,
{
    let via = <P as Related<T>>::via()
        .ok_or_else(|| ApiError::Internal("not a many-to-many relation".into()))?;
    let to = <P as Related<T>>::to();
    let parent_fk = unary(&via.to_col)?;
    let target_fk = unary(&to.from_col)?;
    let mut delete = Query::delete();
    delete
        .from_table(via.to_tbl.clone())
        .and_where(Expr::col(parent_fk.clone()).eq(pk));
    if !created {
        db.execute(&delete).await?;
    }
    if ids.is_empty() {
        return Ok(());
    }
    // Two values a row: at most MAX_BOUND_VALUES values a statement.
    for chunk in ids.chunks(crate::db::MAX_BOUND_VALUES / 2) {
        let mut insert = Query::insert();
        insert
            .into_table(via.to_tbl.clone())
            .columns([parent_fk.clone(), target_fk.clone()]);
        for id in chunk {
            insert
                .values([pk.into(), (*id).into()])
                .map_err(|err| ApiError::Internal(err.to_string()))?;
        }
        db.execute(&insert).await?;
    }
    Ok(())
}

/// DRF's `UniqueValidator` for a column: no other row (the row being updated excluded) may
/// hold `value`. Records `tag with this name already exists.` and returns whether it passed.
#[allow(clippy::too_many_arguments)]
pub async fn check_unique<E, V>(
    db: &impl ConnectionTrait,
    column: E::Column,
    value: &V,
    instance: Option<&E::Model>,
    field: &str,
    label: &str,
    errors: &mut ValidationErrors,
) -> ApiResult<bool>
where
    E: ModelMeta,
    V: Into<sea_orm::Value> + Clone,
{
    let mut query = E::find().filter(column.eq(value.clone()));
    if let Some(instance) = instance {
        query = query.filter(pk_column::<E>().ne(pk_of::<E>(instance)));
    }
    let taken = sea_orm::PaginatorTrait::count(query, db).await? > 0;
    if taken {
        let model = crate::models::verbose_name::<E>();
        errors.add(field, format!("{model} with this {label} already exists."));
    }
    Ok(!taken)
}

/// A writable nested serializer (`#[field(nested, many, writable)]`): reads the list under
/// `key` with DRF's `ListSerializer` rules, validating every item with `S` and collecting the
/// errors per index (`[{}, {"body": ["..."]}]`). `many = false` reads a single object
/// (errors `{"author": {"email": ["..."]}}`) and yields a list of one. `None` when the key
/// is absent or anything failed (the errors are in `errors`); `Some(vec![])` for an empty
/// list or an allowed `null`.
#[allow(clippy::too_many_arguments)]
pub async fn parse_nested<S: ModelSerializer>(
    data: &serde_json::Map<String, Value>,
    key: &str,
    many: bool,
    required: bool,
    allow_null: bool,
    allow_empty: bool,
    ctx: &SerializerContext<'_>,
    errors: &mut ValidationErrors,
) -> ApiResult<Option<Vec<Save<S>>>> {
    let value = match data.get(key) {
        None => {
            if required {
                errors.add(key, messages::REQUIRED);
            }
            return Ok(None);
        }
        Some(Value::Null) if allow_null => return Ok(Some(Vec::new())),
        Some(Value::Null) => {
            errors.add(key, messages::NULL);
            return Ok(None);
        }
        Some(value) => value,
    };
    if !many {
        return Ok(match validate_nested_item::<S>(value, ctx).await? {
            Ok(save) => Some(vec![save]),
            Err(detail) => {
                errors.set(key, detail);
                None
            }
        });
    }
    let list_error = |errors: &mut ValidationErrors, message: String| {
        errors.set(
            key,
            ErrorDetail::Nested(ValidationErrors::field(NON_FIELD_ERRORS, message)),
        );
    };
    let Value::Array(items) = value else {
        list_error(errors, messages::not_a_list(python_type_name(value)));
        return Ok(None);
    };
    if items.is_empty() && !allow_empty {
        list_error(errors, messages::EMPTY_LIST.to_string());
        return Ok(None);
    }
    let mut saves = Vec::with_capacity(items.len());
    let mut details = Vec::with_capacity(items.len());
    let mut failed = false;
    for item in items {
        match validate_nested_item::<S>(item, ctx).await? {
            Ok(save) => {
                saves.push(save);
                details.push(ErrorDetail::Nested(ValidationErrors::default()));
            }
            Err(detail) => {
                failed = true;
                details.push(detail);
            }
        }
    }
    if failed {
        errors.set(key, ErrorDetail::List(details));
        return Ok(None);
    }
    Ok(Some(saves))
}

/// One nested object, validated for create: its [`Save`], or its errors as DRF nests them
/// (`{"non_field_errors": ["Invalid data. Expected a dictionary, but got str."]}` for a
/// non-object, `["This field may not be null."]` for `null` in a list).
async fn validate_nested_item<S: ModelSerializer>(
    item: &Value,
    ctx: &SerializerContext<'_>,
) -> ApiResult<Result<Save<S>, ErrorDetail>> {
    let map = match item {
        Value::Object(map) => map,
        Value::Null => return Ok(Err(ErrorDetail::Messages(vec![messages::NULL.into()]))),
        other => {
            return Ok(Err(ErrorDetail::Nested(ValidationErrors::field(
                NON_FIELD_ERRORS,
                messages::not_a_dict(python_type_name(other)),
            ))));
        }
    };
    match S::validate(map, None, false, ctx).await {
        Ok(save) => Ok(Ok(save)),
        Err(ApiError::Validation(errors)) => Ok(Err(ErrorDetail::Nested(errors))),
        Err(other) => Err(other),
    }
}

/// Writes the children of a writable nested field for the saved parent `pk`, inside the
/// parent's transaction: on update (`!created`) the parent's existing children are deleted
/// first (the set is replaced, as `article.comment_set.set(...)` with new rows), then every
/// child is inserted with its foreign key set to `pk`, followed by its own relations.
/// The relation must be a reverse foreign key (`has_many` / `has_one` of `P`).
pub async fn save_nested<P, S>(
    txn: &DatabaseTransaction,
    pk: i64,
    children: &[Save<S>],
    created: bool,
) -> ApiResult<()>
where
    P: EntityTrait + Related<S::Entity>,
    S: ModelSerializer,
{
    let relation = <P as Related<S::Entity>>::to();
    let fk = unary(&relation.to_col)?;
    let fk_name = fk.to_string();
    // A reverse foreign key points from the child's own column; a forward one (or a
    // many-to-many) would point at the child's primary key.
    if <P as Related<S::Entity>>::via().is_some() || fk_name == pk_column::<S::Entity>().as_str() {
        return Err(ApiError::Internal(format!(
            "a writable nested {} must be a reverse foreign key of {}",
            S::NAME,
            std::any::type_name::<P>()
        )));
    }
    let column = <<S::Entity as EntityTrait>::Column as Iterable>::iter()
        .find(|column| column.as_str() == fk_name)
        .ok_or_else(|| ApiError::Internal(format!("no column {fk_name} in {}", S::NAME)))?;
    if !created {
        let mut delete = Query::delete();
        delete
            .from_table(relation.to_tbl.clone())
            .and_where(Expr::col(fk.clone()).eq(pk));
        txn.execute(&delete).await?;
    }
    for child in children {
        let mut model = child.model.clone();
        model
            .try_set(column, pk.into())
            .or_else(|_| {
                let pk = i32::try_from(pk).map_err(|err| DbErr::Custom(err.to_string()))?;
                model.try_set(column, pk.into())
            })
            .map_err(|err| ApiError::Internal(err.to_string()))?;
        let inserted = model.insert(txn).await?;
        S::save_relations(&child.relations, pk_of::<S::Entity>(&inserted), true, txn).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pk_values_follow_drf() {
        assert_eq!(pk_from_value(&json!(3)), Ok(3));
        assert_eq!(pk_from_value(&json!(" 36 ")), Ok(36));
        assert_eq!(
            pk_from_value(&json!("abc")),
            Err("Incorrect type. Expected pk value, received str.".into())
        );
        assert_eq!(
            pk_from_value(&json!({"id": 1})),
            Err("Incorrect type. Expected pk value, received dict.".into())
        );
        assert_eq!(
            pk_from_value(&json!(true)),
            Err("Incorrect type. Expected pk value, received bool.".into())
        );
    }
}
