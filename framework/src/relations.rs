//! Relations, loaded a page at a time: every function here takes the whole page of parent rows
//! and issues one query per relation (`IN (...)`, or one grouped `COUNT`), so serializing N
//! objects costs the same number of statements for any N. Generated serializer code calls
//! these; nothing here runs per object.

use crate::exceptions::{ApiError, ApiResult, ValidationErrors};
use crate::fields::{messages, python_type_name};
use crate::models::{ModelMeta, pk_column, pk_of};
use crate::serializers::{ModelSerializer, SerializerContext};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, Identity, LoaderTrait, QueryFilter, QuerySelect,
    Related, RelationDef,
};
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// Nested serializer over a forward foreign key (`author = AuthorSerializer(source="user")`):
/// one `WHERE id IN (...)` for the page, then the nested serializer's own load step.
pub async fn load_nested_one<P, S>(
    models: &[P::Model],
    ctx: &SerializerContext<'_>,
) -> ApiResult<Vec<Option<S>>>
where
    P: ModelMeta + Related<S::Entity>,
    S: ModelSerializer,
{
    let related = models.load_one(S::Entity::find(), ctx.db).await?;
    let present: Vec<_> = related.iter().flatten().cloned().collect();
    let mut rendered = S::from_models(&present, ctx).await?.into_iter();
    Ok(related
        .iter()
        .map(|slot| slot.as_ref().and_then(|_| rendered.next()))
        .collect())
}

/// Like [`load_nested_one`] for a non-nullable foreign key.
pub async fn load_nested_required<P, S>(
    models: &[P::Model],
    ctx: &SerializerContext<'_>,
) -> ApiResult<Vec<S>>
where
    P: ModelMeta + Related<S::Entity>,
    S: ModelSerializer,
{
    load_nested_one::<P, S>(models, ctx)
        .await?
        .into_iter()
        .map(|item| {
            item.ok_or_else(|| {
                ApiError::Internal(format!("a {} row points at a missing {}", P::NAME, S::NAME))
            })
        })
        .collect()
}

/// Nested serializer over a reverse foreign key or many-to-many (`comment_set`), in the
/// related model's `Meta.ordering`: one query for the page.
pub async fn load_nested_many<P, S>(
    models: &[P::Model],
    ctx: &SerializerContext<'_>,
) -> ApiResult<Vec<Vec<S>>>
where
    P: ModelMeta + Related<S::Entity>,
    S: ModelSerializer,
{
    let related = models
        .load_many(S::Entity::default_queryset(), ctx.db)
        .await?;
    let flat: Vec<_> = related.iter().flatten().cloned().collect();
    let mut rendered = S::from_models(&flat, ctx).await?.into_iter();
    Ok(related
        .iter()
        .map(|group| rendered.by_ref().take(group.len()).collect())
        .collect())
}

/// Primary keys of a to-many relation (`tags` as `[3, 4]`), in the related model's ordering.
pub async fn load_pks_many<P, T>(
    models: &[P::Model],
    ctx: &SerializerContext<'_>,
) -> ApiResult<Vec<Vec<i64>>>
where
    P: ModelMeta + Related<T>,
    T: ModelMeta,
{
    let related = models.load_many(T::default_queryset(), ctx.db).await?;
    Ok(related
        .iter()
        .map(|group| group.iter().map(pk_of::<T>).collect())
        .collect())
}

/// The table and foreign-key column that point from related rows back to `P`
/// (the junction table for many-to-many).
fn back_reference<P: EntityTrait + Related<T>, T: EntityTrait>() -> ApiResult<RelationDef> {
    let relation = <P as Related<T>>::via().unwrap_or_else(<P as Related<T>>::to);
    match relation.to_col {
        Identity::Unary(_) => Ok(relation),
        _ => Err(ApiError::Internal(
            "composite foreign keys are not supported".into(),
        )),
    }
}

fn unary(identity: &Identity) -> ApiResult<sea_orm::sea_query::DynIden> {
    match identity {
        Identity::Unary(iden) => Ok(iden.clone()),
        _ => Err(ApiError::Internal(
            "composite foreign keys are not supported".into(),
        )),
    }
}

/// Counts of a reverse relation for the page (`comment_count`): one grouped query,
/// `SELECT fk, COUNT(*) ... WHERE fk IN (...) GROUP BY fk`.
pub async fn load_counts<P, T>(
    models: &[P::Model],
    ctx: &SerializerContext<'_>,
) -> ApiResult<Vec<i64>>
where
    P: ModelMeta + Related<T>,
    T: EntityTrait,
{
    if models.is_empty() {
        return Ok(Vec::new());
    }
    let relation = back_reference::<P, T>()?;
    let fk = unary(&relation.to_col)?;
    let ids: Vec<i64> = models.iter().map(pk_of::<P>).collect();
    let mut query = Query::select();
    query
        .expr(Expr::col(fk.clone()))
        .expr(Expr::col(fk.clone()).count())
        .from(relation.to_tbl.clone())
        .and_where(Expr::col(fk.clone()).is_in(ids.iter().copied()))
        .group_by_col(fk);
    let rows = ctx.db.query_all(&query).await?;
    let mut counts = HashMap::with_capacity(rows.len());
    for row in rows {
        let id: i64 = row.try_get_by_index(0)?;
        let count: i64 = row.try_get_by_index(1)?;
        counts.insert(id, count);
    }
    Ok(ids
        .iter()
        .map(|id| counts.get(id).copied().unwrap_or(0))
        .collect())
}

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
    let items = match data.get(name) {
        None => {
            if required {
                errors.add(name, messages::REQUIRED);
            }
            return Ok(None);
        }
        Some(Value::Null) => {
            errors.add(name, messages::NULL);
            return Ok(None);
        }
        Some(Value::Array(items)) => items,
        Some(other) => {
            errors.add(name, messages::not_a_list(python_type_name(other)));
            return Ok(None);
        }
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
        let found: HashSet<i64> = T::find()
            .select_only()
            .column(pk_column::<T>())
            .filter(pk_column::<T>().is_in(wanted))
            .into_tuple::<i64>()
            .all(db)
            .await?
            .into_iter()
            .collect();
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
    let mut unique = Vec::with_capacity(ids.len());
    for (id, _) in ids {
        if !unique.contains(&id) {
            unique.push(id);
        }
    }
    Ok(Some(unique))
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
    let mut insert = Query::insert();
    insert
        .into_table(via.to_tbl.clone())
        .columns([parent_fk, target_fk]);
    for id in ids {
        insert
            .values([pk.into(), (*id).into()])
            .map_err(|err| ApiError::Internal(err.to_string()))?;
    }
    db.execute(&insert).await?;
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
        let model = if E::VERBOSE_NAME.is_empty() {
            E::NAME.to_lowercase()
        } else {
            E::VERBOSE_NAME.to_string()
        };
        errors.add(field, format!("{model} with this {label} already exists."));
    }
    Ok(!taken)
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
