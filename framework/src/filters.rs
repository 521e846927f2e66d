//! Filtering of list querysets: DRF's `rest_framework.filters` ([`SearchFilter`],
//! [`OrderingFilter`]) and django-filter's exact-match `filterset_fields` ([`FieldFilter`]).
//!
//! A list view runs its [`FilterBackend`]s in order over `get_queryset()` (DRF's
//! `filter_backends`), then paginates the result. Every backend reads the request's query
//! parameters the way Django does: a single-valued parameter given several times counts with
//! its **last** value (`QueryDict.get`), a multi-valued one with all of them
//! (`QueryDict.getlist`). Client text only ever reaches the database as a bound value.
//!
//! ```
//! # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/doc_support/blog.rs"));
//! use rest_framework::exceptions::ApiResult;
//! use rest_framework::filters::{FieldFilter, FilterBackend, OrderingFilter, SearchFilter, filter_queryset};
//! use rest_framework::request::RequestContext;
//! use rest_framework::sea_orm::{EntityTrait, Select};
//!
//! async fn articles(ctx: &RequestContext) -> ApiResult<Select<article::Entity>> {
//! let backends: Vec<Box<dyn FilterBackend<article::Entity>>> = vec![
//!     Box::new(
//!         FieldFilter::new()
//!             .foreign_key::<user::Entity>("user", article::Column::UserId)
//!             .many_to_many::<tag::Entity>("tags"),
//!     ),
//!     Box::new(SearchFilter::new(vec![article::Column::Title, article::Column::Content])),
//!     Box::new(
//!         OrderingFilter::new()
//!             .column("created_at", article::Column::CreatedAt)
//!             .column("title", article::Column::Title)
//!             .count::<comment::Entity>("comment_count"),
//!     ),
//! ];
//! let queryset = filter_queryset(&backends, ctx, article::Entity::find()).await?;
//! # Ok(queryset)
//! }
//! # fn main() {}
//! ```

use crate::exceptions::{ApiError, ApiResult, ValidationErrors};
use crate::fields::{PyInt, is_py_space, parse_py_int};
use crate::models::ModelMeta;
use crate::request::RequestContext;
use poem_openapi::ParameterStyle;
use poem_openapi::registry::{MetaOperationParam, MetaParamIn, MetaSchemaRef};
use sea_orm::sea_query::{
    Alias, BinOper, DynIden, Expr, ExprTrait, Func, IntoIden, Query, QueryStatementBuilder,
    SelectStatement,
};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait, Identity, Order, QueryFilter,
    QueryOrder, QueryTrait, Related, RelationDef, Select,
};
use std::collections::HashSet;
use std::fmt;
use std::future::Future;
use std::pin::Pin;

/// A boxed, `Send` future borrowing for `'a` (what [`FilterBackend`] returns).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// One filter backend step on a list queryset (DRF's `filter_backends`).
///
/// `Any` (every `'static` type is): a route recognizes the framework's own backends, whose
/// parameters it knows, and reuses the statements of the requests they leave unchanged.
pub trait FilterBackend<E: EntityTrait>: std::any::Any + Send + Sync {
    /// Narrows or reorders `select` for this request (DRF's `filter_queryset`), or refuses
    /// the request with a 400.
    fn filter_queryset<'a>(
        &'a self,
        ctx: &'a RequestContext,
        select: Select<E>,
    ) -> BoxFuture<'a, ApiResult<Select<E>>>;

    /// The query parameters this backend reads, as drf-spectacular documents them
    /// (`get_schema_operation_parameters`).
    fn schema_parameters(&self) -> Vec<MetaOperationParam> {
        Vec::new()
    }
}

/// DRF's `GenericAPIView.filter_queryset`: runs every backend in order.
pub async fn filter_queryset<E: EntityTrait>(
    backends: &[Box<dyn FilterBackend<E>>],
    ctx: &RequestContext,
    mut select: Select<E>,
) -> ApiResult<Select<E>> {
    for backend in backends {
        select = backend.filter_queryset(ctx, select).await?;
    }
    Ok(select)
}

/// Django's texts for the filters' 400 answers.
pub mod messages {
    /// A foreign-key filter value that is not a pk of an existing row (or not an integer).
    pub const INVALID_CHOICE: &str =
        "Select a valid choice. That choice is not one of the available choices.";
    /// Django's `ProhibitNullCharactersValidator`.
    pub const NULL_CHARACTERS: &str = "Null characters are not allowed.";

    /// A many-to-many filter value that is not an existing pk, as given.
    pub fn invalid_choice_value(value: &str) -> String {
        format!("Select a valid choice. {value} is not one of the available choices.")
    }

    /// A many-to-many filter value that is not an integer, as given (curly quotes).
    pub fn invalid_pk_value(value: &str) -> String {
        format!("\u{201c}{value}\u{201d} is not a valid value.")
    }
}

/// The pks among `ids` that exist in `T` (one query).
type ExistingPks =
    for<'a> fn(&'a DatabaseConnection, Vec<i64>) -> BoxFuture<'a, Result<HashSet<i64>, DbErr>>;

fn existing_pks<T: ModelMeta>(
    db: &DatabaseConnection,
    ids: Vec<i64>,
) -> BoxFuture<'_, Result<HashSet<i64>, DbErr>> {
    Box::pin(async move { crate::db::existing_pks::<T>(db, &ids).await })
}

fn unary(identity: &Identity) -> Result<DynIden, String> {
    match identity {
        Identity::Unary(iden) => Ok(iden.clone()),
        _ => Err("composite foreign keys are not supported".into()),
    }
}

/// Where a many-to-many goes through: `parent IN (SELECT parent_fk FROM junction WHERE
/// target_fk IN (...))`.
struct Junction {
    /// The parent's column the junction points at (its pk).
    parent_column: DynIden,
    /// The junction table.
    table: sea_orm::sea_query::TableRef,
    /// The junction's column pointing at the parent.
    parent_fk: DynIden,
    /// The junction's column pointing at the target.
    target_fk: DynIden,
}

impl Junction {
    fn of<E: EntityTrait + Related<T>, T: EntityTrait>() -> Result<Self, String> {
        let via = <E as Related<T>>::via().ok_or_else(|| {
            format!(
                "`{}` -> `{}` is not a many-to-many relation",
                E::default().table_name(),
                T::default().table_name()
            )
        })?;
        let to = <E as Related<T>>::to();
        Ok(Junction {
            parent_column: unary(&via.from_col)?,
            table: via.to_tbl,
            parent_fk: unary(&via.to_col)?,
            target_fk: unary(&to.from_col)?,
        })
    }
}

enum FieldSpec<E: EntityTrait> {
    ForeignKey {
        param: &'static str,
        column: E::Column,
        existing: ExistingPks,
    },
    ManyToMany {
        param: &'static str,
        /// Built when the parameter is present: viewsets build their filter backends per
        /// request, and most requests do not filter.
        junction: fn() -> Result<Junction, String>,
        existing: ExistingPks,
    },
}

impl<E: EntityTrait> FieldSpec<E> {
    fn param(&self) -> &'static str {
        match self {
            FieldSpec::ForeignKey { param, .. } | FieldSpec::ManyToMany { param, .. } => param,
        }
    }
}

/// django-filter `filterset_fields`: exact match on query params.
///
/// Every declared parameter is validated before any filtering, and all their errors are
/// answered together in declaration order (`{"user": [...], "tags": [...]}`), as a Django
/// form does. Each parameter costs at most one existence query, whatever the number of
/// values. An absent parameter (or an empty foreign-key one, `?user=`) does not filter.
pub struct FieldFilter<E: EntityTrait> {
    fields: Vec<FieldSpec<E>>,
}

impl<E: EntityTrait> fmt::Debug for FieldFilter<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let params: Vec<&str> = self.fields.iter().map(FieldSpec::param).collect();
        f.debug_struct("FieldFilter")
            .field("params", &params)
            .finish()
    }
}

impl<E: ModelMeta> Default for FieldFilter<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E: ModelMeta> FieldFilter<E> {
    /// A filter set without parameters.
    pub fn new() -> Self {
        FieldFilter { fields: Vec::new() }
    }

    /// `?user=3` -> `WHERE user_id = 3`, for a foreign key to `T` (django-filter's
    /// `ModelChoiceFilter`). The value is read as Python's `int()` would (`" 03 "` is 3);
    /// one that is not the pk of an existing `T` answers 400
    /// `{"user":["Select a valid choice. That choice is not one of the available choices."]}`.
    pub fn foreign_key<T: ModelMeta>(mut self, param: &'static str, column: E::Column) -> Self {
        self.fields.push(FieldSpec::ForeignKey {
            param,
            column,
            existing: existing_pks::<T>,
        });
        self
    }

    /// `?tags=8&tags=9` -> rows related to ANY of the given `T` pks through the many-to-many
    /// of `Related<T>` (django-filter's `ModelMultipleChoiceFilter`), as
    /// `pk IN (SELECT article_id FROM junction WHERE tag_id IN (...))`: no duplicate rows.
    ///
    /// Errors (400, the value as given): `{"tags":["“abc” is not a valid value."]}` for a
    /// non-integer, `{"tags":["Select a valid choice. 999999 is not one of the available
    /// choices."]}` for an unknown pk (also for a non-canonical spelling such as `08`, which
    /// Django compares as text).
    pub fn many_to_many<T: ModelMeta>(mut self, param: &'static str) -> Self
    where
        E: Related<T>,
    {
        self.fields.push(FieldSpec::ManyToMany {
            param,
            junction: Junction::of::<E, T>,
            existing: existing_pks::<T>,
        });
        self
    }

    async fn apply(&self, ctx: &RequestContext, mut select: Select<E>) -> ApiResult<Select<E>> {
        let mut errors = ValidationErrors::default();
        for spec in &self.fields {
            match spec {
                FieldSpec::ForeignKey {
                    param,
                    column,
                    existing,
                } => {
                    if let Some(id) = clean_foreign_key(ctx, param, *existing, &mut errors).await? {
                        select = select.filter(column.eq(id));
                    }
                }
                FieldSpec::ManyToMany {
                    param,
                    junction,
                    existing,
                } => {
                    if let Some(ids) = clean_many(ctx, param, *existing, &mut errors).await? {
                        let junction = junction().map_err(ApiError::Internal)?;
                        let mut related = Query::select();
                        related
                            .column(junction.parent_fk.clone())
                            .from(junction.table.clone())
                            .and_where(crate::db::is_in_integers(
                                Expr::col(junction.target_fk.clone()),
                                &ids,
                            ));
                        select = select.filter(
                            Expr::col((E::default().into_iden(), junction.parent_column.clone()))
                                .in_subquery(related),
                        );
                    }
                }
            }
        }
        errors.into_result()?;
        Ok(select)
    }
}

/// django-filter's `ModelChoiceField.clean` on the last value of `param`.
async fn clean_foreign_key(
    ctx: &RequestContext,
    param: &str,
    existing: ExistingPks,
    errors: &mut ValidationErrors,
) -> ApiResult<Option<i64>> {
    let Some(raw) = ctx.query_param(param).filter(|raw| !raw.is_empty()) else {
        return Ok(None);
    };
    if raw.contains('\0') {
        errors.add(param, messages::NULL_CHARACTERS);
        return Ok(None);
    }
    let PyInt::Int(id) = parse_py_int(raw) else {
        errors.add(param, messages::INVALID_CHOICE);
        return Ok(None);
    };
    if existing(ctx.db(), vec![id]).await?.contains(&id) {
        Ok(Some(id))
    } else {
        errors.add(param, messages::INVALID_CHOICE);
        Ok(None)
    }
}

/// django-filter's `ModelMultipleChoiceField.clean` on every value of `param`: all values
/// must be integers, then all must be existing pks written as Django writes them.
async fn clean_many(
    ctx: &RequestContext,
    param: &str,
    existing: ExistingPks,
    errors: &mut ValidationErrors,
) -> ApiResult<Option<Vec<i64>>> {
    let mut values: Vec<&str> = Vec::new();
    for (key, value) in ctx.query_params() {
        if key == param && !values.contains(&value.as_str()) {
            values.push(value);
        }
    }
    if values.is_empty() {
        return Ok(None);
    }
    let mut parsed = Vec::with_capacity(values.len());
    for value in &values {
        if value.contains('\0') {
            errors.add(param, messages::NULL_CHARACTERS);
            return Ok(None);
        }
        match parse_py_int(value) {
            PyInt::Invalid => {
                errors.add(param, messages::invalid_pk_value(value));
                return Ok(None);
            }
            // Django compares `str(pk)` with the value as given: `08` matches no row.
            PyInt::Int(id) if id.to_string() == *value => parsed.push((value, Some(id))),
            PyInt::Int(_) | PyInt::OutOfRange => parsed.push((value, None)),
        }
    }
    let ids: Vec<i64> = parsed.iter().filter_map(|(_, id)| *id).collect();
    let found = if ids.is_empty() {
        HashSet::new()
    } else {
        existing(ctx.db(), ids.clone()).await?
    };
    if let Some((value, _)) = parsed
        .iter()
        .find(|(_, id)| !id.is_some_and(|id| found.contains(&id)))
    {
        errors.add(param, messages::invalid_choice_value(value));
        return Ok(None);
    }
    Ok(Some(ids))
}

impl<E: ModelMeta> FieldFilter<E> {
    /// True when [`FilterBackend::filter_queryset`] returns the queryset as it is for this
    /// request: none of the backend's parameters is present.
    pub(crate) fn leaves_unchanged(&self, ctx: &RequestContext) -> bool {
        self.fields
            .iter()
            .all(|spec| ctx.query_param(spec.param()).is_none())
    }
}

impl<E: ModelMeta> FilterBackend<E> for FieldFilter<E> {
    fn filter_queryset<'a>(
        &'a self,
        ctx: &'a RequestContext,
        select: Select<E>,
    ) -> BoxFuture<'a, ApiResult<Select<E>>> {
        Box::pin(self.apply(ctx, select))
    }

    fn schema_parameters(&self) -> Vec<MetaOperationParam> {
        self.fields
            .iter()
            .map(|spec| match spec {
                FieldSpec::ForeignKey { param, .. } => MetaOperationParam {
                    name: (*param).to_string(),
                    schema: schema_of::<i64>(),
                    in_type: MetaParamIn::Query,
                    description: None,
                    required: false,
                    deprecated: false,
                    explode: true,
                    style: None,
                },
                FieldSpec::ManyToMany { param, .. } => MetaOperationParam {
                    name: (*param).to_string(),
                    schema: schema_of::<Vec<i64>>(),
                    in_type: MetaParamIn::Query,
                    description: None,
                    required: false,
                    deprecated: false,
                    explode: true,
                    style: Some(ParameterStyle::Form),
                },
            })
            .collect()
    }
}

/// A type's schema. (Importing `poem_openapi::types::Type` here would shadow `str::is_empty`
/// on `&&str` with `Type::is_empty`, which is always false for strings.)
fn schema_of<T: poem_openapi::types::Type>() -> MetaSchemaRef {
    T::schema_ref()
}

fn query_param(name: &str, description: &str) -> MetaOperationParam {
    MetaOperationParam {
        name: name.to_string(),
        schema: schema_of::<String>(),
        in_type: MetaParamIn::Query,
        description: Some(description.to_string()),
        required: false,
        deprecated: false,
        explode: true,
        style: None,
    }
}

/// DRF `SearchFilter`: `?search=apple cinnamon` -> every term (split on whitespace and
/// commas, empty ones ignored; `"quoted phrases"` kept whole) must occur case-insensitively
/// (`icontains`) in at least one of the fields.
///
/// The match is `LOWER(CAST(col AS TEXT)) LIKE LOWER(?) ESCAPE '\'` with the term's `%`,
/// `_` and `\` escaped, the same on SQLite and PostgreSQL.
///
/// A search of more than [`SearchFilter::max_terms`] terms (100) or with a term longer than
/// [`SearchFilter::max_term_length`] characters (10,000) is a 400 before any SQL is built:
/// SQLite refuses deeper expressions and longer `LIKE` patterns (DRF lets those through to a
/// 500).
pub struct SearchFilter<E: EntityTrait> {
    columns: Vec<E::Column>,
    param: &'static str,
    max_terms: usize,
    max_term_length: usize,
}

impl<E: EntityTrait> fmt::Debug for SearchFilter<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SearchFilter")
            .field("columns", &self.columns)
            .field("param", &self.param)
            .field("max_terms", &self.max_terms)
            .field("max_term_length", &self.max_term_length)
            .finish()
    }
}

/// The default of [`SearchFilter::max_terms`].
pub const MAX_SEARCH_TERMS: usize = 100;
/// The default of [`SearchFilter::max_term_length`]: 10,000 characters stay below SQLite's
/// 50,000-byte `LIKE` pattern limit however they are escaped and encoded.
pub const MAX_SEARCH_TERM_LENGTH: usize = 10_000;

impl<E: EntityTrait> SearchFilter<E> {
    /// Searches `columns` (DRF's `search_fields`) with `?search=`.
    pub fn new(columns: Vec<E::Column>) -> Self {
        SearchFilter {
            columns,
            param: "search",
            max_terms: MAX_SEARCH_TERMS,
            max_term_length: MAX_SEARCH_TERM_LENGTH,
        }
    }

    /// The most terms a search may have (default [`MAX_SEARCH_TERMS`]); each adds a
    /// condition, and SQLite's expressions may nest 1,000 deep at most.
    pub fn max_terms(mut self, terms: usize) -> Self {
        self.max_terms = terms;
        self
    }

    /// The longest term, in characters (default [`MAX_SEARCH_TERM_LENGTH`], which SQLite
    /// allows; PostgreSQL has no limit of its own).
    pub fn max_term_length(mut self, characters: usize) -> Self {
        self.max_term_length = characters;
        self
    }

    /// Reads the terms from another query parameter (DRF's `SEARCH_PARAM`).
    pub fn param(mut self, name: &'static str) -> Self {
        self.param = name;
        self
    }

    fn apply(&self, ctx: &RequestContext, select: Select<E>) -> ApiResult<Select<E>> {
        let value = ctx.query_param(self.param).unwrap_or("");
        if value.contains('\0') {
            // DRF answers a bare list here (`["Null characters are not allowed."]`).
            return Err(ApiError::ValidationList(vec![
                messages::NULL_CHARACTERS.to_string(),
            ]));
        }
        let terms = search_terms(value);
        if self.columns.is_empty() || terms.is_empty() {
            return Ok(select);
        }
        if terms.len() > self.max_terms {
            return Err(ApiError::ValidationList(vec![format!(
                "Ensure the search has no more than {} terms.",
                self.max_terms
            )]));
        }
        if terms
            .iter()
            .any(|term| term.chars().count() > self.max_term_length)
        {
            return Err(ApiError::ValidationList(vec![format!(
                "Ensure each search term has no more than {} characters.",
                self.max_term_length
            )]));
        }
        let mut every_term = Condition::all();
        for term in &terms {
            let pattern = format!("%{}%", escape_like(term));
            let mut any_field = Condition::any();
            for column in &self.columns {
                any_field = any_field.add(icontains(column.as_column_ref(), &pattern));
            }
            every_term = every_term.add(any_field);
        }
        Ok(select.filter(every_term))
    }
}

/// `LOWER(CAST(col AS TEXT)) LIKE LOWER(pattern) ESCAPE '\'`.
fn icontains(column: (DynIden, DynIden), pattern: &str) -> Expr {
    let text = Expr::col(column).cast_as(Alias::new("TEXT"));
    Expr::expr(Func::lower(text)).binary(
        BinOper::Like,
        Expr::expr(Func::lower(Expr::val(pattern)))
            .binary(BinOper::Escape, Expr::Constant('\\'.into())),
    )
}

/// Django's `prep_for_like_query`: `\`, `%` and `_` match themselves.
fn escape_like(term: &str) -> String {
    let mut escaped = String::with_capacity(term.len());
    for c in term.chars() {
        if matches!(c, '\\' | '%' | '_') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// DRF's `search_smart_split`: Django's `smart_split` (whitespace, keeping quoted phrases
/// together), then commas split unquoted tokens; empty terms are dropped.
fn search_terms(value: &str) -> Vec<String> {
    let mut terms = Vec::new();
    for token in smart_split(value) {
        let token = token.trim_matches(',');
        let first = token.chars().next();
        if matches!(first, Some('"' | '\'')) && token.chars().last() == first {
            terms.push(unescape_string_literal(token));
        } else {
            terms.extend(
                token
                    .split(',')
                    .filter(|part| !part.is_empty())
                    .map(|part| part.trim_matches(is_py_space).to_string()),
            );
        }
    }
    terms
}

/// Django's `unescape_string_literal` for a token starting and ending with its quote.
fn unescape_string_literal(token: &str) -> String {
    let quote = &token[..1];
    let inner = token.get(1..token.len() - 1).unwrap_or_default();
    inner
        .replace(&format!("\\{quote}"), quote)
        .replace("\\\\", "\\")
}

/// Django's `smart_split`: the matches of
/// `(?:[^\s'"]*(?:(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')[^\s'"]*)+)|\S+`.
fn smart_split(text: &str) -> Vec<&str> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let end_of = |i: usize| chars.get(i).map_or(text.len(), |(at, _)| *at);
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if is_py_space(chars[i].1) {
            i += 1;
            continue;
        }
        let end = quoted_token_end(&chars, i).unwrap_or_else(|| {
            let mut j = i;
            while j < chars.len() && !is_py_space(chars[j].1) {
                j += 1;
            }
            j
        });
        tokens.push(&text[chars[i].0..end_of(end)]);
        i = end;
    }
    tokens
}

/// The first alternative of `smart_split`'s pattern at `start`: the end (exclusive char
/// index) of a token holding at least one complete quoted string, if there is one.
fn quoted_token_end(chars: &[(usize, char)], start: usize) -> Option<usize> {
    let plain = |c: char| !is_py_space(c) && c != '"' && c != '\'';
    let mut i = start;
    while i < chars.len() && plain(chars[i].1) {
        i += 1;
    }
    let mut matched = None;
    while let Some(after) = quoted_string_end(chars, i) {
        i = after;
        while i < chars.len() && plain(chars[i].1) {
            i += 1;
        }
        matched = Some(i);
    }
    matched
}

/// The end of a quoted string (`"(?:[^"\\]|\\.)*"`, or with `'`) starting at `start`.
fn quoted_string_end(chars: &[(usize, char)], start: usize) -> Option<usize> {
    let quote = chars.get(start).map(|(_, c)| *c)?;
    if quote != '"' && quote != '\'' {
        return None;
    }
    let mut i = start + 1;
    loop {
        match chars.get(i).map(|(_, c)| *c)? {
            c if c == quote => return Some(i + 1),
            // `.` does not match a newline.
            '\\' => match chars.get(i + 1).map(|(_, c)| *c)? {
                '\n' => return None,
                _ => i += 2,
            },
            _ => i += 1,
        }
    }
}

impl<E: EntityTrait> SearchFilter<E> {
    /// True when [`FilterBackend::filter_queryset`] returns the queryset as it is for this
    /// request: none of the backend's parameters is present.
    pub(crate) fn leaves_unchanged(&self, ctx: &RequestContext) -> bool {
        ctx.query_param(self.param).is_none()
    }
}

impl<E: EntityTrait> FilterBackend<E> for SearchFilter<E> {
    fn filter_queryset<'a>(
        &'a self,
        ctx: &'a RequestContext,
        select: Select<E>,
    ) -> BoxFuture<'a, ApiResult<Select<E>>> {
        let result = self.apply(ctx, select);
        Box::pin(async move { result })
    }

    fn schema_parameters(&self) -> Vec<MetaOperationParam> {
        vec![query_param(self.param, "A search term.")]
    }
}

/// What an ordering name sorts by.
enum OrderKey<E: EntityTrait> {
    Column(E::Column),
    /// `(SELECT COUNT(*) FROM related AS rf_count WHERE rf_count.fk = parent.pk)`, built
    /// only when a request orders by it (viewsets build their filter backends per request).
    Count(fn() -> Result<Box<SelectStatement>, String>),
}

/// DRF `OrderingFilter`: `?ordering=-created_at,title` among the declared names (DRF's
/// `ordering_fields`). Unknown names are dropped silently; if nothing valid remains the
/// queryset's existing (default) ordering is kept; valid terms REPLACE the default ordering
/// (no tie-breaker is added).
pub struct OrderingFilter<E: EntityTrait> {
    fields: Vec<(&'static str, OrderKey<E>)>,
    param: &'static str,
}

impl<E: EntityTrait> fmt::Debug for OrderingFilter<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.fields.iter().map(|(name, _)| *name).collect();
        f.debug_struct("OrderingFilter")
            .field("fields", &names)
            .field("param", &self.param)
            .finish()
    }
}

impl<E: ModelMeta> Default for OrderingFilter<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E: ModelMeta> OrderingFilter<E> {
    /// An ordering filter allowing no field yet, on `?ordering=`.
    pub fn new() -> Self {
        OrderingFilter {
            fields: Vec::new(),
            param: "ordering",
        }
    }

    /// Allows ordering by a column under `name`.
    pub fn column(mut self, name: &'static str, column: E::Column) -> Self {
        self.fields.push((name, OrderKey::Column(column)));
        self
    }

    /// Order by the number of related `T` rows (e.g. `comment_count`), as a correlated
    /// subquery `(SELECT COUNT(*) FROM comment WHERE comment.article_id = article.id)`,
    /// not a JOIN + GROUP BY over the whole table. For a many-to-many, the junction rows
    /// are counted.
    pub fn count<T: EntityTrait>(mut self, name: &'static str) -> Self
    where
        E: Related<T>,
    {
        self.fields
            .push((name, OrderKey::Count(related_count_subquery::<E, T>)));
        self
    }

    /// Reads the ordering from another query parameter (DRF's `ORDERING_PARAM`).
    pub fn param(mut self, name: &'static str) -> Self {
        self.param = name;
        self
    }

    fn apply(&self, ctx: &RequestContext, mut select: Select<E>) -> ApiResult<Select<E>> {
        let Some(value) = ctx.query_param(self.param).filter(|v| !v.is_empty()) else {
            return Ok(select);
        };
        let mut terms: Vec<(&OrderKey<E>, Order)> = Vec::new();
        let mut seen: Vec<&str> = Vec::new();
        for term in value.split(',').map(|t| t.trim_matches(is_py_space)) {
            let (name, order) = match term.strip_prefix('-') {
                Some(name) => (name, Order::Desc),
                None => (term, Order::Asc),
            };
            let Some((name, key)) = self.fields.iter().find(|(known, _)| *known == name) else {
                continue;
            };
            // Django drops a repeated ORDER BY expression (`title,-title` is `title`).
            if !seen.contains(name) {
                seen.push(name);
                terms.push((key, order));
            }
        }
        if terms.is_empty() {
            return Ok(select);
        }
        QueryTrait::query(&mut select).clear_order_by();
        for (key, order) in terms {
            select = match key {
                OrderKey::Column(column) => select.order_by(*column, order),
                OrderKey::Count(subquery) => {
                    let subquery = subquery().map_err(ApiError::Internal)?;
                    select.order_by(
                        Expr::SubQuery(None, Box::new((*subquery).into_sub_query_statement())),
                        order,
                    )
                }
            };
        }
        Ok(select)
    }
}

/// [`count_subquery`] over the relation of `Related<T>` (through the junction for a
/// many-to-many).
fn related_count_subquery<E: EntityTrait + Related<T>, T: EntityTrait>()
-> Result<Box<SelectStatement>, String> {
    count_subquery::<E>(<E as Related<T>>::via().unwrap_or_else(<E as Related<T>>::to))
}

/// `SELECT COUNT(*) FROM related AS rf_count WHERE rf_count.fk = parent.col`.
pub(crate) fn count_subquery<E: EntityTrait>(
    relation: RelationDef,
) -> Result<Box<SelectStatement>, String> {
    let parent_column = unary(&relation.from_col)?;
    let fk = unary(&relation.to_col)?;
    let alias = Alias::new("rf_count").into_iden();
    let mut query = Query::select();
    query
        .expr(Expr::col(sea_orm::sea_query::Asterisk).count())
        .from(relation.to_tbl.alias(alias.clone()))
        .and_where(Expr::col((alias, fk)).equals((E::default().into_iden(), parent_column)));
    Ok(Box::new(query))
}

impl<E: ModelMeta> OrderingFilter<E> {
    /// True when [`FilterBackend::filter_queryset`] returns the queryset as it is for this
    /// request: none of the backend's parameters is present.
    pub(crate) fn leaves_unchanged(&self, ctx: &RequestContext) -> bool {
        ctx.query_param(self.param).is_none()
    }
}

impl<E: ModelMeta> FilterBackend<E> for OrderingFilter<E> {
    fn filter_queryset<'a>(
        &'a self,
        ctx: &'a RequestContext,
        select: Select<E>,
    ) -> BoxFuture<'a, ApiResult<Select<E>>> {
        let result = self.apply(ctx, select);
        Box::pin(async move { result })
    }

    fn schema_parameters(&self) -> Vec<MetaOperationParam> {
        vec![query_param(
            self.param,
            "Which field to use when ordering the results.",
        )]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_int() {
        assert_eq!(parse_py_int("3"), PyInt::Int(3));
        assert_eq!(parse_py_int(" +03\t"), PyInt::Int(3));
        assert_eq!(parse_py_int("-1_000"), PyInt::Int(-1000));
        assert_eq!(parse_py_int("99999999999999999999"), PyInt::OutOfRange);
        for bad in [
            "", " ", "abc", "1.0", "1__0", "_1", "1_", "+-1", "0x1", "1 2",
        ] {
            assert_eq!(parse_py_int(bad), PyInt::Invalid, "{bad:?}");
        }
    }

    #[test]
    fn search_terms_follow_drf() {
        assert_eq!(search_terms("apple cinnamon"), ["apple", "cinnamon"]);
        assert_eq!(search_terms(" APPLE,,cinnamon, "), ["APPLE", "cinnamon"]);
        assert_eq!(search_terms("\"apple pie\" tart"), ["apple pie", "tart"]);
        assert_eq!(search_terms("'it\\'s' x"), ["it's", "x"]);
        assert_eq!(search_terms("\"apple"), ["\"apple"]);
        assert_eq!(search_terms("a\"b c\"d e"), ["a\"b c\"d", "e"]);
        assert_eq!(search_terms(",\"a,b\","), ["a,b"]);
        assert_eq!(search_terms(""), Vec::<String>::new());
        assert_eq!(search_terms(" , "), Vec::<String>::new());
        assert_eq!(search_terms("50%"), ["50%"]);
        assert_eq!(search_terms("\""), [""]);
        assert_eq!(search_terms("x\"a\\\nb\" y"), ["x\"a\\", "b\"", "y"]);
        assert_eq!(search_terms("\"a\"b\"c"), ["\"a\"b", "\"c"]);
    }

    #[test]
    fn like_escapes() {
        assert_eq!(escape_like(r"50%_a\b"), r"50\%\_a\\b");
    }
}
