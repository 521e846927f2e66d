//! Relations, loaded a page at a time: every function here takes the whole page of parent rows
//! and issues one query per relation (`IN (...)`, or one grouped `COUNT`), so serializing N
//! objects costs the same number of statements for any N. Generated serializer code calls
//! these; nothing here runs per object.

use crate::exceptions::{ApiError, ApiResult};
use crate::models::{ModelMeta, pk_column, pk_of};
use crate::serializers::{ModelOf, ModelSerializer, SerializerContext};
use sea_orm::sea_query::{
    Alias, Expr, ExprTrait, IntoIden, Order, Query, QueryStatementBuilder, SelectStatement,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, FromQueryResult, IdenStatic,
    Identity, Iterable, JoinType, LoaderTrait, ModelTrait, QueryFilter, QueryResult, QuerySelect,
    QueryTrait, Related, RelationDef, Select, Statement,
};
use std::any::{Any, TypeId};
use std::collections::HashMap;
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
/// [`Reads::select_related`](crate::query::Reads::select_related), [`join_forward_columns`] adds its columns).
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
/// `"__field"."column" AS "__field__column"`, read back by [`read_joined_table`].
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
pub fn read_joined_table<F: EntityTrait>(
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
/// relations joined in and its counts as subqueries ([`Reads::select_related`](crate::query::Reads::select_related)),
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

/// The models of rows fetched with [`Reads::select_related`](crate::query::Reads::select_related) and what came with
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

/// `Reads::defer_unread` for generated code: the text columns the serializer does not read
/// are selected as `CAST('' AS TEXT)` (`deferred_select_list`). With nothing in `keep`
/// (every page but a cursor page's) the select list comes out the same on every request, so
/// it is rendered to SQL once into `rendered` (a static of the serializer) and added as text.
pub fn defer_text_columns<E: ModelMeta>(
    select: Select<E>,
    reads: &[&str],
    forward: &[fn() -> RelationDef],
    keep: &[&str],
    rendered: &'static OnceLock<Option<String>>,
) -> Select<E> {
    if keep.is_empty() {
        let list = rendered.get_or_init(|| {
            render_select_list(deferred_select_list(
                select_list_start::<E>(),
                reads,
                forward,
                &[],
            ))
        });
        if let Some(sql) = list {
            return select.select_only().expr(Expr::cust(sql.as_str()));
        }
        return deferred_select_list(select, reads, forward, keep);
    }
    // `select` may come deferred already (a page defers its queryset up front): the columns
    // in `keep` are read again.
    let select = select.select_only().columns(E::Column::iter());
    deferred_select_list(select, reads, forward, keep)
}

/// The deferred select list: `reads` are the model fields the serializer's fields read, `forward` the relations whose foreign keys they follow. Every
/// text column of `E` outside of those, `keep`, the primary key and `E`'s ordering is selected
/// as `CAST('' AS TEXT)` under its own name. A name that is no column of `E` leaves `select`
/// alone.
fn deferred_select_list<E: ModelMeta>(
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
    // Read off the parents' rows already ([`crate::query::rows::join_columns`]).
    if let Some(read) = preloaded.values::<crate::query::rows::Joined<S>>(field, models.len()) {
        return Ok(read.iter().map(crate::query::rows::Joined::take).collect());
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
                rows.iter()
                    .map(|row| S::read_row(row, super::rows::Columns::From(0)))
                    .collect::<ApiResult<_>>()?,
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
/// reads them; a serializer's [`Reads::select_row`](crate::query::Reads::select_row)), rendered the first time on a
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

pub(crate) fn unary(identity: &Identity) -> ApiResult<sea_orm::sea_query::DynIden> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
