//! Relations, loaded a page at a time: every function here takes the whole page of parent rows
//! and issues one query per relation (`IN (...)`, or one grouped `COUNT`), so serializing N
//! objects costs the same number of statements for any N. Generated serializer code calls
//! these; nothing here runs per object.

use crate::exceptions::{ApiError, ApiResult, ErrorDetail, NON_FIELD_ERRORS, ValidationErrors};
use crate::fields::{messages, python_type_name};
use crate::models::{ModelMeta, pk_column, pk_of};
use crate::serializers::{ModelOf, ModelSerializer, Save, SerializerContext};
use sea_orm::sea_query::{
    Alias, Expr, ExprTrait, IntoIden, Order, Query, QueryStatementBuilder, SelectStatement,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, DbErr,
    EntityTrait, FromQueryResult, IdenStatic, Identity, Iterable, JoinType, LoaderTrait,
    ModelTrait, QueryFilter, QueryResult, QuerySelect, QueryTrait, Related, RelationDef, Select,
    Statement,
};
use serde_json::Value;
use std::any::{Any, TypeId};
use std::collections::{HashMap, HashSet};
use std::sync::{LazyLock, OnceLock, RwLock};

/// What the parents' own statement fetched besides their columns: for each nested field over a
/// forward foreign key its row (Django's `select_related`), for each count its value (a
/// correlated subquery), one entry per parent row, aligned with the parents. Filled by
/// [`fetch_related`]; empty when the parents were fetched alone (then each relation is
/// loaded with one query for the page).
#[derive(Default)]
pub struct Preloaded {
    fields: Vec<(&'static str, Box<dyn PreloadedValues>)>,
    /// The number of parent rows expected: each field's values are allocated for them at once.
    rows: usize,
}

/// One preloaded field's values (a `Vec<V>`), kept in step with the parent rows.
trait PreloadedValues: Send + Sync {
    fn as_any(&self) -> &dyn Any;
    fn as_any_mut(&mut self) -> &mut dyn Any;
    fn truncate(&mut self, len: usize);
    fn reverse(&mut self);
}

impl<V: Send + Sync + 'static> PreloadedValues for Vec<V> {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
    fn truncate(&mut self, len: usize) {
        Vec::truncate(self, len);
    }
    fn reverse(&mut self) {
        self.as_mut_slice().reverse();
    }
}

impl Preloaded {
    /// Empty, for the values of `rows` parent rows.
    fn for_rows(rows: usize) -> Self {
        Preloaded {
            fields: Vec::new(),
            rows,
        }
    }

    /// Appends the value of `field` for the next parent row.
    pub(crate) fn push<V: Send + Sync + 'static>(&mut self, field: &'static str, value: V) {
        let existing = self
            .fields
            .iter_mut()
            // Generated code passes the same literal for a field: the address usually matches.
            .find(|(key, _)| std::ptr::eq(*key, field) || *key == field)
            .and_then(|(_, values)| values.as_any_mut().downcast_mut::<Vec<V>>());
        match existing {
            Some(values) => values.push(value),
            None => {
                let mut values = Vec::with_capacity(self.rows.max(1));
                values.push(value);
                self.fields.push((field, Box::new(values)));
            }
        }
    }

    /// The values of `field`, if they were preloaded for all `parents` parent rows.
    pub(crate) fn values<V: 'static>(&self, field: &str, parents: usize) -> Option<&Vec<V>> {
        self.fields
            .iter()
            .find(|(key, _)| *key == field)
            .and_then(|(_, values)| values.as_any().downcast_ref::<Vec<V>>())
            .filter(|values| values.len() == parents)
    }

    /// Keeps the values of the first `len` parent rows (the parents were truncated).
    pub fn truncate(&mut self, len: usize) {
        for (_, values) in &mut self.fields {
            values.truncate(len);
        }
    }

    /// Reverses the values (the parents were reversed).
    pub fn reverse(&mut self) {
        for (_, values) in &mut self.fields {
            values.reverse();
        }
    }
}

/// The prefix of the columns of `field`'s joined table in a [`fetch_related`] row.
pub(crate) fn joined_prefix(field: &str) -> String {
    format!("__{field}__")
}

/// The alias of the table [`join_forward_table`] joins for `field`.
pub(crate) fn joined_alias(field: &str) -> Alias {
    Alias::new(format!("__{field}"))
}

/// Joins the row that the forward relation of nested field `field` points at, under the alias
/// `__field` (Django's `select_related`; generated code calls this from
/// [`ModelSerializer::select_related`], [`join_forward_columns`] adds its columns).
pub fn join_forward_table<P, F>(select: Select<P>, field: &str) -> Select<P>
where
    P: EntityTrait + Related<F>,
    F: EntityTrait,
{
    select.join_as(
        JoinType::LeftJoin,
        <P as Related<F>>::to(),
        joined_alias(field),
    )
}

/// The columns of the row [`join_forward_table`] joins for `field`:
/// `"__field"."column" AS "__field__column"`, read back by [`read_joined`].
pub fn join_forward_columns<P, F>(mut select: Select<P>, field: &str) -> Select<P>
where
    P: EntityTrait + Related<F>,
    F: EntityTrait,
{
    let prefix = joined_prefix(field);
    let alias = joined_alias(field);
    for column in F::Column::iter() {
        let name = column.as_str();
        select = select.column_as(
            column.select_as(Expr::col((alias.clone(), Alias::new(name)))),
            format!("{prefix}{name}"),
        );
    }
    select
}

/// An empty select list over `P`'s table, for [`render_select_list`].
pub fn select_list_start<P: EntityTrait>() -> Select<P> {
    P::find().select_only()
}

/// The select list of `select` (begun with [`select_list_start`]) as SQL text, so that a
/// serializer renders the columns and subqueries of its `select_related` once and then adds
/// the text to every statement ([`with_select_list`]). `None` when the statement binds values
/// (the text could not carry them) or cannot be split. Identifiers are quoted alike on SQLite
/// and PostgreSQL, the two databases this text goes to.
pub fn render_select_list<P: EntityTrait>(select: Select<P>) -> Option<String> {
    let (sql, values) =
        QueryTrait::into_query(select).build(sea_orm::sea_query::SqliteQueryBuilder);
    if !values.0.is_empty() {
        return None;
    }
    let from = format!(" FROM {}", quoted(P::default().table_name()));
    let list = sql.strip_prefix("SELECT ")?.strip_suffix(&from)?;
    (!list.is_empty()).then(|| list.to_string())
}

/// Adds the select list rendered by [`render_select_list`] to `select`, or, when there is
/// none, builds it with `columns` as usual.
pub fn with_select_list<P: EntityTrait>(
    select: Select<P>,
    rendered: Option<&'static str>,
    columns: fn(Select<P>) -> Select<P>,
) -> Select<P> {
    match rendered {
        Some(sql) => select.expr(Expr::cust(sql)),
        None => columns(select),
    }
}

/// Reads the row [`join_forward_table`] joined for `field` off a fetched `row` into `preloaded`
/// (`None` when the foreign key is null). `prefix` is `__field__`, spelled out by generated
/// code so that no row formats it.
pub fn read_joined<F: EntityTrait>(
    row: &QueryResult,
    field: &'static str,
    prefix: &'static str,
    preloaded: &mut Preloaded,
) -> ApiResult<()>
where
    F::Model: Sync,
{
    debug_assert_eq!(prefix, joined_prefix(field));
    let related = F::Model::from_query_result_optional(row, prefix)?;
    preloaded.push(field, related);
    Ok(())
}

/// Adds count field `field` (the number of related `T` rows) to `select` as a correlated
/// subquery `(SELECT COUNT(*) FROM related WHERE related.fk = parent.pk) AS "__field"`:
/// computed with the page instead of in a grouped query after it.
pub fn annotate_count<P, T>(select: Select<P>, field: &str) -> Select<P>
where
    P: EntityTrait + Related<T>,
    T: EntityTrait,
{
    let relation = <P as Related<T>>::via().unwrap_or_else(<P as Related<T>>::to);
    match crate::filters::count_subquery::<P>(relation) {
        Ok(subquery) => select.expr_as(
            Expr::SubQuery(None, Box::new((*subquery).into_sub_query_statement())),
            joined_prefix(field),
        ),
        // A composite key: the count is loaded with its own query instead.
        Err(_) => select,
    }
}

/// Adds to-many primary-key field `field` (`tags` as `[3, 4]`) to `select` as a correlated
/// subquery aggregating the related primary keys, in `T`'s `Meta.ordering` then its primary
/// key, into one text column `"3,4"`:
/// `(SELECT string_agg(CAST(r.id AS TEXT), ',' ORDER BY r.name ASC, r.id ASC) FROM junction
/// JOIN related r ON ... WHERE junction.fk = parent.pk) AS "__field__"`. SQLite (3.44 and
/// later) and PostgreSQL both spell the ordered aggregate this way. The primary keys then cost
/// no query of their own.
pub fn annotate_pks_many<P, T>(select: Select<P>, field: &str) -> Select<P>
where
    P: EntityTrait + Related<T>,
    T: ModelMeta,
{
    match pks_subquery::<P, T>() {
        Some(subquery) => select.expr_as(
            Expr::SubQuery(None, Box::new(subquery.into_sub_query_statement())),
            joined_prefix(field),
        ),
        // A composite key or an ordering by something else than columns: the primary keys
        // are loaded with their own query instead.
        None => select,
    }
}

/// The correlated subquery of [`annotate_pks_many`]; `None` when it cannot be written.
pub(crate) fn pks_subquery<P, T>() -> Option<SelectStatement>
where
    P: EntityTrait + Related<T>,
    T: ModelMeta,
{
    let related = Alias::new("rf_pks").into_iden();
    let parent = P::default().into_iden();
    let to = <P as Related<T>>::to();
    let mut query = Query::select();
    match <P as Related<T>>::via() {
        // Many-to-many: through the junction table.
        Some(via) => {
            let junction = Alias::new("rf_m2m").into_iden();
            query
                .from(via.to_tbl.clone().alias(junction.clone()))
                .inner_join(
                    to.to_tbl.clone().alias(related.clone()),
                    Expr::col((related.clone(), unary(&to.to_col).ok()?))
                        .equals((junction.clone(), unary(&to.from_col).ok()?)),
                )
                .and_where(
                    Expr::col((junction, unary(&via.to_col).ok()?))
                        .equals((parent, unary(&via.from_col).ok()?)),
                );
        }
        // A reverse foreign key: the related rows point at the parent themselves.
        None => {
            query
                .from(to.to_tbl.clone().alias(related.clone()))
                .and_where(
                    Expr::col((related.clone(), unary(&to.to_col).ok()?))
                        .equals((parent, unary(&to.from_col).ok()?)),
                );
        }
    }
    let column = |name: &str| format!("{}.{}", quoted(&related.to_string()), quoted(name));
    let pk = pk_column::<T>().as_str();
    let mut order = Vec::new();
    let mut ends_with_pk = false;
    for (col, direction) in T::ordering() {
        let direction = match direction {
            Order::Asc => "ASC",
            Order::Desc => "DESC",
            _ => return None,
        };
        order.push(format!("{} {direction}", column(col.as_str())));
        ends_with_pk = col.as_str() == pk;
    }
    // The primary key breaks ties, so equal sort keys still list in one fixed order.
    if !ends_with_pk {
        order.push(format!("{} ASC", column(pk)));
    }
    query.expr(Expr::cust(format!(
        "string_agg(CAST({} AS TEXT), ',' ORDER BY {})",
        column(pk),
        order.join(", ")
    )));
    Some(query)
}

/// `name` as a double-quoted SQL identifier (SQLite and PostgreSQL).
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Reads the primary keys [`annotate_pks_many`] added for `field` off a fetched `row` (nothing
/// when they were not added). `column` is `__field__`, spelled out by generated code.
pub fn read_pks_many(
    row: &QueryResult,
    field: &'static str,
    column: &'static str,
    preloaded: &mut Preloaded,
) -> ApiResult<()> {
    debug_assert_eq!(column, joined_prefix(field));
    let Ok(joined) = row.try_get::<Option<String>>("", column) else {
        return Ok(());
    };
    preloaded.push(field, parse_joined_pks(joined.as_deref(), field)?);
    Ok(())
}

/// The primary keys [`annotate_pks_many`] aggregated for `field` into `"3,4"` (`NULL` or
/// `""`: none).
pub(crate) fn parse_joined_pks(joined: Option<&str>, field: &str) -> ApiResult<Vec<i64>> {
    let joined = joined.unwrap_or_default();
    if joined.is_empty() {
        // No related rows (the aggregate is NULL): no allocation, on every such row of a page.
        return Ok(Vec::new());
    }
    // One pass over the bytes: this runs for every row of a page, and `str::split` with
    // `str::parse` and a collected `Result` took about twice the instructions (callgrind).
    let mut pks = Vec::with_capacity(joined.len() / 2 + 1);
    for pk in joined.as_bytes().split(|&byte| byte == b',') {
        if pk.is_empty() {
            continue;
        }
        match parse_decimal(pk) {
            Some(pk) => pks.push(pk),
            None => {
                return Err(ApiError::Internal(format!(
                    "`{field}` aggregated a non-integer key {:?}",
                    String::from_utf8_lossy(pk)
                )));
            }
        }
    }
    Ok(pks)
}

/// An `i64` written in decimal digits with an optional `-` (what SQLite and PostgreSQL write
/// for `CAST(pk AS TEXT)`); `None` for anything else or an overflow.
fn parse_decimal(text: &[u8]) -> Option<i64> {
    let (negative, digits) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    if digits.is_empty() {
        return None;
    }
    let mut value: i64 = 0;
    for &byte in digits {
        let digit = i64::from(byte.wrapping_sub(b'0'));
        if digit > 9 {
            return None;
        }
        value = value.checked_mul(10)?;
        value = if negative {
            value.checked_sub(digit)?
        } else {
            value.checked_add(digit)?
        };
    }
    Some(value)
}

/// Reads the count [`annotate_count`] added for `field` off a fetched `row` (nothing when it
/// was not added). `column` is `__field__`, spelled out by generated code.
pub fn read_count(
    row: &QueryResult,
    field: &'static str,
    column: &'static str,
    preloaded: &mut Preloaded,
) -> ApiResult<()> {
    debug_assert_eq!(column, joined_prefix(field));
    if let Ok(count) = row.try_get::<i64>("", column) {
        preloaded.push(field, count);
    }
    Ok(())
}

/// The rows of `select` with what `S` can fetch in the same statement: its nested forward
/// relations joined in and its counts as subqueries ([`ModelSerializer::select_related`]),
/// so they cost no query of their own.
pub async fn fetch_related<S: ModelSerializer>(
    select: Select<S::Entity>,
    db: &impl ConnectionTrait,
) -> ApiResult<(Vec<ModelOf<S>>, Preloaded)> {
    let rows = db
        .query_all(&QueryTrait::into_query(S::select_related(select)))
        .await?;
    read_related_rows::<S>(&rows)
}

/// The models of rows fetched with [`ModelSerializer::select_related`] and what came with
/// them (the second half of [`fetch_related`], for statements rendered once).
pub fn read_related_rows<S: ModelSerializer>(
    rows: &[QueryResult],
) -> ApiResult<(Vec<ModelOf<S>>, Preloaded)> {
    let mut models = Vec::with_capacity(rows.len());
    let mut preloaded = Preloaded::for_rows(rows.len());
    for row in rows {
        models.push(ModelOf::<S>::from_query_result(row, "")?);
        S::read_related(row, &mut preloaded)?;
    }
    Ok((models, preloaded))
}

/// [`defer_unread_columns`] as generated code calls it: with nothing in `keep` (every page but
/// a cursor page's) the select list comes out the same on every request, so it is rendered to
/// SQL once into `rendered` (a static of the serializer) and added as text.
pub fn defer_unread_rendered<E: ModelMeta>(
    select: Select<E>,
    reads: &[&str],
    forward: &[fn() -> RelationDef],
    keep: &[&str],
    rendered: &'static OnceLock<Option<String>>,
) -> Select<E> {
    if keep.is_empty() {
        let list = rendered.get_or_init(|| {
            render_select_list(defer_unread_columns(
                select_list_start::<E>(),
                reads,
                forward,
                &[],
            ))
        });
        if let Some(sql) = list {
            return select.select_only().expr(Expr::cust(sql.as_str()));
        }
        return defer_unread_columns(select, reads, forward, keep);
    }
    // `select` may come deferred already (a page defers its queryset up front): the columns
    // in `keep` are read again.
    let select = select.select_only().columns(E::Column::iter());
    defer_unread_columns(select, reads, forward, keep)
}

/// [`ModelSerializer::defer_unread`] for generated code: `reads` are the model fields the
/// serializer's fields read, `forward` the relations whose foreign keys they follow. Every
/// text column of `E` outside of those, `keep`, the primary key and `E`'s ordering is selected
/// as `CAST('' AS TEXT)` under its own name. A name that is no column of `E` leaves `select`
/// alone.
pub fn defer_unread_columns<E: ModelMeta>(
    select: Select<E>,
    reads: &[&str],
    forward: &[fn() -> RelationDef],
    keep: &[&str],
) -> Select<E> {
    use sea_orm::sea_query::ColumnType;
    let mut read: Vec<&'static str> = Vec::with_capacity(reads.len() + keep.len() + 4);
    for name in reads.iter().chain(keep) {
        match crate::models::column_named::<E>(name) {
            Some(column) => read.push(column.as_str()),
            None => return select,
        }
    }
    let mut forward_keys = Vec::with_capacity(forward.len());
    for relation in forward {
        match relation().from_col {
            Identity::Unary(column) => forward_keys.push(column.to_string()),
            _ => return select,
        }
    }
    read.push(pk_column::<E>().as_str());
    read.extend(E::ordering().iter().map(|(column, _)| column.as_str()));
    let deferred = |column: &E::Column| {
        matches!(
            column.def().get_column_type(),
            ColumnType::Text | ColumnType::String(_) | ColumnType::Char(_)
        ) && !read.contains(&column.as_str())
            && !forward_keys.iter().any(|key| key == column.as_str())
    };
    if !E::Column::iter().any(|column| deferred(&column)) {
        return select;
    }
    let mut select = select.select_only();
    for column in E::Column::iter() {
        select = if deferred(&column) {
            select.column_as(Expr::cust("CAST('' AS TEXT)"), column.as_str())
        } else {
            select.column(column)
        };
    }
    select
}

/// [`fetch_related`] for the first row of `select`.
pub async fn fetch_one_related<S: ModelSerializer>(
    select: Select<S::Entity>,
    db: &impl ConnectionTrait,
) -> ApiResult<Option<(ModelOf<S>, Preloaded)>> {
    let (models, preloaded) = fetch_related::<S>(select.limit(1), db).await?;
    Ok(models.into_iter().next().map(|model| (model, preloaded)))
}

/// The counts of `field` when they came with the parents' statement ([`annotate_count`]).
pub fn preloaded_counts(preloaded: &Preloaded, field: &str, parents: usize) -> Option<Vec<i64>> {
    preloaded.values::<i64>(field, parents).cloned()
}

/// Nested serializer over a forward foreign key (`author = AuthorSerializer(source="user")`):
/// one `WHERE id IN (...)` for the page (none when the rows were joined into the parents'
/// statement, see [`Preloaded`]), then the nested serializer's own load step.
pub async fn load_nested_one<P, S>(
    models: &[P::Model],
    field: &str,
    preloaded: &Preloaded,
    ctx: &SerializerContext<'_>,
) -> ApiResult<Vec<Option<S>>>
where
    P: ModelMeta + Related<S::Entity>,
    S: ModelSerializer,
{
    // Read off the parents' rows already ([`crate::rows::join_columns`]).
    if let Some(read) = preloaded.values::<crate::rows::Joined<S>>(field, models.len()) {
        return Ok(read.iter().map(crate::rows::Joined::take).collect());
    }
    let loaded;
    let related = match preloaded.values::<Option<ModelOf<S>>>(field, models.len()) {
        Some(rows) => rows,
        None => {
            loaded = models.load_one(S::Entity::find(), ctx.db).await?;
            &loaded
        }
    };
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
    field: &str,
    preloaded: &Preloaded,
    ctx: &SerializerContext<'_>,
) -> ApiResult<Vec<S>>
where
    P: ModelMeta + Related<S::Entity>,
    S: ModelSerializer,
{
    load_nested_one::<P, S>(models, field, preloaded, ctx)
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
    if S::READS_ROWS
        && let [parent] = models
    {
        // A detail page: the serializer reads its own columns off the children's rows.
        let backend = ctx.db.get_database_backend();
        if let Some(sql) = one_parent_sql::<P, S::Entity>(backend, TypeId::of::<S>(), S::select_row)
        {
            let key = sea_orm::Value::from(pk_of::<P>(parent));
            let statement = Statement::from_sql_and_values(backend, sql, [key]);
            let rows = crate::db::query_all(ctx.db, statement).await?;
            return Ok(vec![
                rows.iter().map(S::read_row).collect::<ApiResult<_>>()?,
            ]);
        }
    }
    let related = load_children::<P, S::Entity>(models, ctx.db).await?;
    let lengths: Vec<usize> = related.iter().map(Vec::len).collect();
    // The page's related rows in one slice, moved rather than cloned.
    let flat: Vec<_> = related.into_iter().flatten().collect();
    let mut rendered = S::from_models(&flat, ctx).await?.into_iter();
    Ok(lengths
        .into_iter()
        .map(|len| rendered.by_ref().take(len).collect())
        .collect())
}

/// A value of the row each parent's forward foreign key points at (`SlugRelatedField`,
/// `StringRelatedField`, a dotted `source = "user.email"`): one `WHERE id IN (...)` for the
/// page. `None` where the key is null.
pub async fn load_forward<P, T, V>(
    models: &[P::Model],
    ctx: &SerializerContext<'_>,
    pick: impl Fn(&T::Model) -> V + Send,
) -> ApiResult<Vec<Option<V>>>
where
    P: ModelMeta + Related<T>,
    T: ModelMeta,
{
    let related = models.load_one(T::find(), ctx.db).await?;
    Ok(related.iter().map(|row| row.as_ref().map(&pick)).collect())
}

/// Values of the rows of a to-many relation (slugs, `Display`s), in the related model's
/// ordering: one query for the page.
pub async fn load_many_values<P, T, V>(
    models: &[P::Model],
    ctx: &SerializerContext<'_>,
    pick: impl Fn(&T::Model) -> V + Send,
) -> ApiResult<Vec<Vec<V>>>
where
    P: ModelMeta + Related<T>,
    T: ModelMeta,
{
    let related = load_children::<P, T>(models, ctx.db).await?;
    Ok(related
        .iter()
        .map(|group| group.iter().map(&pick).collect())
        .collect())
}

/// The related value of a non-nullable foreign key; a missing row is a broken database.
pub fn required_related<V>(value: Option<V>, field: &str) -> ApiResult<V> {
    value.ok_or_else(|| ApiError::Internal(format!("the related row of `{field}` is missing")))
}

/// Primary keys of a to-many relation (`tags` as `[3, 4]`), in the related model's ordering:
/// read off the parents' statement when they came with it ([`annotate_pks_many`]), else one
/// query for the page.
pub async fn load_pks_many<P, T>(
    models: &[P::Model],
    field: &str,
    preloaded: &Preloaded,
    ctx: &SerializerContext<'_>,
) -> ApiResult<Vec<Vec<i64>>>
where
    P: ModelMeta + Related<T>,
    T: ModelMeta,
{
    if let Some(pks) = preloaded.values::<Vec<i64>>(field, models.len()) {
        return Ok(pks.clone());
    }
    let related = load_children::<P, T>(models, ctx.db).await?;
    Ok(related
        .iter()
        .map(|group| group.iter().map(pk_of::<T>).collect())
        .collect())
}

/// The rows of `T` related to each parent, grouped in the parents' order, each group in `T`'s
/// `Meta.ordering`: one query for the page. A reverse foreign key (`comment_set`) is read with
/// `WHERE fk = ?` (`IN (...)` for several parents) and grouped by the foreign key of each row;
/// a many-to-many relation or a composite key goes through sea-orm's loader.
async fn load_children<P, T>(
    parents: &[P::Model],
    db: &sea_orm::DatabaseConnection,
) -> ApiResult<Vec<Vec<T::Model>>>
where
    P: ModelMeta + Related<T>,
    T: ModelMeta,
{
    if let [parent] = parents {
        // A detail page: the statement is the same on every request but for the parent's key.
        let backend = db.get_database_backend();
        if let Some(sql) = one_parent_sql::<P, T>(backend, TypeId::of::<T>(), Some) {
            let statement = Statement::from_sql_and_values(
                backend,
                sql,
                [sea_orm::Value::from(pk_of::<P>(parent))],
            );
            let rows = crate::db::query_all(db, statement).await?;
            let children = rows
                .iter()
                .map(|row| T::Model::from_query_result(row, ""))
                .collect::<Result<Vec<_>, DbErr>>()?;
            return Ok(vec![children]);
        }
    }
    let select = T::default_queryset();
    let Some(fk) = reverse_foreign_key::<P, T>() else {
        return Ok(parents.load_many(select, db).await?);
    };
    let ids: Vec<i64> = parents.iter().map(pk_of::<P>).collect();
    match ids.as_slice() {
        [] => Ok(Vec::new()),
        [id] => Ok(vec![select.filter(fk.eq(*id)).all(db).await?]),
        _ => {
            let rows = select.filter(fk.is_in(ids.iter().copied())).all(db).await?;
            let mut by_parent: HashMap<i64, Vec<T::Model>> = HashMap::with_capacity(ids.len());
            for row in rows {
                if let Some(parent) = crate::models::value_as_i64(&row.get(fk)) {
                    by_parent.entry(parent).or_default().push(row);
                }
            }
            let mut groups: Vec<Vec<T::Model>> = Vec::with_capacity(ids.len());
            for (i, id) in ids.iter().enumerate() {
                let group = match by_parent.remove(id) {
                    Some(rows) => rows,
                    // A parent listed again (a custom queryset may repeat one) gets the rows
                    // of its first listing, as sea-orm's loader does.
                    None => ids[..i]
                        .iter()
                        .position(|earlier| earlier == id)
                        .map(|first| groups[first].clone())
                        .unwrap_or_default(),
                };
                groups.push(group);
            }
            Ok(groups)
        }
    }
}

/// The column of `T` that points back at `P`'s primary key, when `Related<T>` is a plain
/// reverse foreign key (not a many-to-many, not a composite key).
fn reverse_foreign_key<P, T>() -> Option<T::Column>
where
    P: ModelMeta + Related<T>,
    T: ModelMeta,
{
    let relation = <P as Related<T>>::to();
    match (&relation.from_col, &relation.to_col) {
        (Identity::Unary(pk), Identity::Unary(fk))
            if <P as Related<T>>::via().is_none()
                && pk.to_string() == pk_column::<P>().as_str() =>
        {
            crate::models::column_named::<T>(&fk.to_string())
        }
        _ => None,
    }
}

/// The SQL of the children of one parent, `SELECT ... FROM child WHERE fk = ? ORDER BY ...`
/// with the select list `select` gives (`Some` for the model's columns, as [`load_children`]
/// reads them; a serializer's [`ModelSerializer::select_row`]), rendered the first time on a
/// database backend and kept for the life of the process (one short text per relation and
/// `reader`, the type that reads the rows). `None` when the relation is no plain reverse
/// foreign key, or `select` gives nothing or binds values of its own.
fn one_parent_sql<P, T>(
    backend: DbBackend,
    reader: TypeId,
    select: fn(Select<T>) -> Option<Select<T>>,
) -> Option<&'static str>
where
    P: ModelMeta + Related<T>,
    T: ModelMeta,
{
    type Key = (TypeId, TypeId, u8);
    static RENDERED: LazyLock<RwLock<HashMap<Key, Option<&'static str>>>> =
        LazyLock::new(Default::default);
    let backend_key = match backend {
        DbBackend::Sqlite => 0,
        DbBackend::Postgres => 1,
        DbBackend::MySql => 2,
        _ => return None,
    };
    let key = (TypeId::of::<P>(), reader, backend_key);
    if let Some(sql) = RENDERED.read().ok()?.get(&key) {
        return *sql;
    }
    let mut rendered = RENDERED.write().ok()?;
    *rendered.entry(key).or_insert_with(|| {
        let fk = reverse_foreign_key::<P, T>()?;
        let statement = select(T::default_queryset().filter(fk.eq(0_i64)))?.build(backend);
        // The key is the one value bound.
        (statement.values.map_or(0, |values| values.0.len()) == 1)
            .then(|| &*Box::leak(statement.sql.into_boxed_str()))
    })
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
    let statement = ctx.db.get_database_backend().build(&query);
    let rows = crate::db::query_all(ctx.db, statement).await?;
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

/// True when `lists` (the entities of a serializer's nested lists) has `T`: a count of `T`'s
/// rows is then the length of that list ([`lengths_if_rows_of`]), so `select_related` adds no
/// `COUNT(*)` subquery for it.
pub fn counted_by_lists<T: 'static>(lists: &[TypeId]) -> bool {
    lists.contains(&TypeId::of::<T>())
}

/// The counts of a reverse relation read off its nested lists, loaded for the same page
/// (`comment_count` beside `comment_set`): `Some` when the nested serializer's rows are `T`'s,
/// so the grouped `COUNT` is not run. Nested lists are loaded unfiltered, so their lengths are
/// the counts.
pub fn lengths_if_rows_of<T: EntityTrait, S: ModelSerializer>(
    lists: &[Vec<S>],
) -> Option<Vec<i64>> {
    (std::any::TypeId::of::<S::Entity>() == std::any::TypeId::of::<T>()).then(|| {
        lists
            .iter()
            .map(|list| i64::try_from(list.len()).unwrap_or(i64::MAX))
            .collect()
    })
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
    fn joined_pks_are_read_back_exactly() {
        assert_eq!(parse_joined_pks(None, "tags").ok(), Some(vec![]));
        assert_eq!(parse_joined_pks(Some(""), "tags").ok(), Some(vec![]));
        assert_eq!(parse_joined_pks(Some("7"), "tags").ok(), Some(vec![7]));
        assert_eq!(
            parse_joined_pks(Some("3,41,-2,9223372036854775807"), "tags").ok(),
            Some(vec![3, 41, -2, i64::MAX])
        );
        assert_eq!(
            parse_joined_pks(Some("-9223372036854775808"), "tags").ok(),
            Some(vec![i64::MIN])
        );
        for bad in ["1,x", "1,+2", "1, 2", "-", "9223372036854775808", "1.5"] {
            assert!(
                parse_joined_pks(Some(bad), "tags").is_err(),
                "{bad:?} must be refused"
            );
        }
    }

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
