//! Django's `dumpdata` and `loaddata`: the blog's tables as a Django JSON fixture
//! (`[{"model": "blog.article", "pk": 1, "fields": {...}}, ...]`), readable and writable by the
//! DRF reference app's `manage.py dumpdata` / `loaddata` and by this blog.
//!
//! The format is Django's serializer's, byte for byte: model labels `accounts.user`,
//! `blog.tag`, `blog.article`, `blog.comment`, `authtoken.token`; fields in the models' order;
//! foreign keys as pks; many-to-many fields as lists of pks (ordered as the related model's
//! `Meta.ordering`); datetimes as `DjangoJSONEncoder` writes them (ISO 8601 in UTC with `Z`,
//! **milliseconds** when the value has a fraction: `2026-11-23T10:00:00.123Z`); password
//! hashes as stored.

use crate::entities::{article, article_tag, comment, tag, user};
use crate::management::insert_in_batches;
use anyhow::{Context, anyhow, bail};
use chrono::{DateTime, NaiveDateTime, Timelike, Utc};
use rest_framework::contrib::authtoken::token;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection,
    EntityTrait, QueryFilter, QueryOrder, Statement, TransactionTrait,
};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;

/// A model that fixtures hold, named by its Django label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ModelLabel {
    /// `accounts.user`
    User,
    /// `blog.tag`
    Tag,
    /// `blog.article` (with its `tags` many-to-many field)
    Article,
    /// `blog.comment`
    Comment,
    /// `authtoken.token`
    Token,
}

impl ModelLabel {
    /// Every model, in the order `dumpdata` without arguments writes them (Django's: apps in
    /// `INSTALLED_APPS` order, models in definition order).
    pub const DUMP_ORDER: [ModelLabel; 5] = [
        ModelLabel::Token,
        ModelLabel::User,
        ModelLabel::Tag,
        ModelLabel::Article,
        ModelLabel::Comment,
    ];

    /// `app_label.model_name`.
    pub fn label(self) -> &'static str {
        match self {
            ModelLabel::User => "accounts.user",
            ModelLabel::Tag => "blog.tag",
            ModelLabel::Article => "blog.article",
            ModelLabel::Comment => "blog.comment",
            ModelLabel::Token => "authtoken.token",
        }
    }

    fn app(self) -> &'static str {
        self.label().split('.').next().unwrap_or_default()
    }

    /// The model of a label (case-insensitive, as Django's `apps.get_model`).
    pub fn from_label(label: &str) -> Option<ModelLabel> {
        let label = label.to_ascii_lowercase();
        Self::DUMP_ORDER.into_iter().find(|m| m.label() == label)
    }
}

/// Resolves `dumpdata`'s arguments (`app_label` or `app_label.ModelName`) to models, in the
/// order given, without repetitions; no arguments means every model.
pub fn resolve_labels(args: &[String]) -> anyhow::Result<Vec<ModelLabel>> {
    if args.is_empty() {
        return Ok(ModelLabel::DUMP_ORDER.to_vec());
    }
    let mut models = Vec::new();
    for arg in args {
        let lower = arg.to_ascii_lowercase();
        let found: Vec<ModelLabel> = match lower.split_once('.') {
            Some(_) => match ModelLabel::from_label(&lower) {
                Some(model) => vec![model],
                None => {
                    let app = lower.split('.').next().unwrap_or_default();
                    if ModelLabel::DUMP_ORDER.iter().any(|m| m.app() == app) {
                        bail!("Unknown model: {arg}");
                    }
                    bail!("No installed app with label '{app}'.");
                }
            },
            None => ModelLabel::DUMP_ORDER
                .into_iter()
                .filter(|m| m.app() == lower)
                .collect(),
        };
        if found.is_empty() {
            bail!("No installed app with label '{arg}'.");
        }
        for model in found {
            if !models.contains(&model) {
                models.push(model);
            }
        }
    }
    Ok(models)
}

/// A datetime as Django's `DjangoJSONEncoder` writes it: `2026-11-23T10:00:00Z`, or with the
/// fraction cut (not rounded) to milliseconds, `2026-11-23T10:00:00.123Z`.
pub fn django_json_datetime(at: &DateTime<Utc>) -> String {
    let micros = at.nanosecond() / 1_000 % 1_000_000;
    if micros == 0 {
        at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    } else {
        format!("{}.{:03}Z", at.format("%Y-%m-%dT%H:%M:%S"), micros / 1_000)
    }
}

/// Parses a datetime as Django's `DateTimeField.to_python` does: ISO 8601 with `T` or a
/// space, any fraction, `Z` or an offset; a naive value is taken as UTC (`TIME_ZONE`).
pub fn parse_django_datetime(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.with_timezone(&Utc));
    }
    [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ]
    .iter()
    .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
    .map(|naive| naive.and_utc())
}

fn opt_datetime(at: Option<&DateTime<Utc>>) -> Value {
    at.map_or(Value::Null, |at| Value::String(django_json_datetime(at)))
}

fn object(model: ModelLabel, pk: Value, fields: Value) -> Value {
    json!({"model": model.label(), "pk": pk, "fields": fields})
}

/// The fixture objects of `models`, each model's rows ordered by primary key.
pub async fn dump<C: ConnectionTrait>(db: &C, models: &[ModelLabel]) -> anyhow::Result<Vec<Value>> {
    let mut objects = Vec::new();
    for &model in models {
        let context = || format!("cannot read {}", model.label());
        match model {
            ModelLabel::User => {
                let users = by_pk::<user::Entity, _>(db, user::Column::Id)
                    .await
                    .with_context(context)?;
                objects.extend(users.into_iter().map(|u| {
                    object(
                        model,
                        json!(u.id),
                        json!({
                            "password": u.password,
                            "last_login": opt_datetime(u.last_login.as_ref()),
                            "is_superuser": u.is_superuser,
                            "first_name": u.first_name,
                            "last_name": u.last_name,
                            "is_staff": u.is_staff,
                            "is_active": u.is_active,
                            "date_joined": django_json_datetime(&u.date_joined),
                            "email": u.email,
                            "groups": [],
                            "user_permissions": [],
                        }),
                    )
                }));
            }
            ModelLabel::Tag => {
                let tags = by_pk::<tag::Entity, _>(db, tag::Column::Id)
                    .await
                    .with_context(context)?;
                objects.extend(
                    tags.into_iter()
                        .map(|t| object(model, json!(t.id), json!({"name": t.name}))),
                );
            }
            ModelLabel::Article => {
                let articles = by_pk::<article::Entity, _>(db, article::Column::Id)
                    .await
                    .with_context(context)?;
                let tags_of = article_tag_ids(db).await.with_context(context)?;
                objects.extend(articles.into_iter().map(|a| {
                    let tags = tags_of.get(&a.id).cloned().unwrap_or_default();
                    object(
                        model,
                        json!(a.id),
                        json!({
                            "title": a.title,
                            "content": a.content,
                            "user": a.user_id,
                            "created_at": django_json_datetime(&a.created_at),
                            "updated_at": django_json_datetime(&a.updated_at),
                            "tags": tags,
                        }),
                    )
                }));
            }
            ModelLabel::Comment => {
                let comments = by_pk::<comment::Entity, _>(db, comment::Column::Id)
                    .await
                    .with_context(context)?;
                objects.extend(comments.into_iter().map(|c| {
                    object(
                        model,
                        json!(c.id),
                        json!({
                            "article": c.article_id,
                            "user": c.user_id,
                            "content": c.content,
                            "created_at": django_json_datetime(&c.created_at),
                            "updated_at": django_json_datetime(&c.updated_at),
                        }),
                    )
                }));
            }
            ModelLabel::Token => {
                let tokens = by_pk::<token::Entity, _>(db, token::Column::Key)
                    .await
                    .with_context(context)?;
                objects.extend(tokens.into_iter().map(|t| {
                    object(
                        model,
                        json!(t.key),
                        json!({"user": t.user_id, "created": django_json_datetime(&t.created)}),
                    )
                }));
            }
        }
    }
    Ok(objects)
}

/// Every row of `E`, ordered by its primary key `pk`.
async fn by_pk<E: EntityTrait, C: ConnectionTrait>(
    db: &C,
    pk: E::Column,
) -> Result<Vec<E::Model>, sea_orm::DbErr> {
    E::find().order_by_asc(pk).all(db).await
}

/// Each article's tag pks, ordered as `Tag.Meta.ordering` (by name), as Django lists them.
async fn article_tag_ids<C: ConnectionTrait>(
    db: &C,
) -> Result<HashMap<i64, Vec<i64>>, sea_orm::DbErr> {
    let names: HashMap<i64, String> = tag::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t.name))
        .collect();
    let mut tags_of: HashMap<i64, Vec<i64>> = HashMap::new();
    for link in article_tag::Entity::find().all(db).await? {
        tags_of
            .entry(link.article_id)
            .or_default()
            .push(link.tag_id);
    }
    for tags in tags_of.values_mut() {
        tags.sort_by(|a, b| names.get(a).cmp(&names.get(b)).then(a.cmp(b)));
    }
    Ok(tags_of)
}

/// `serde_json` formatting with Python's default `json.dump` separators (`", "` and `": "`),
/// which Django's serializer uses without `--indent`.
struct PythonCompactFormatter;

impl serde_json::ser::Formatter for PythonCompactFormatter {
    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        if first { Ok(()) } else { w.write_all(b", ") }
    }
    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        if first { Ok(()) } else { w.write_all(b", ") }
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b": ")
    }
}

/// Writes `objects` as Django's JSON serializer does: one object per line indented by
/// `indent` spaces, or all on one line without `indent`; a final newline.
pub fn write_fixture(
    objects: &[Value],
    indent: Option<usize>,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let indent = indent.filter(|&n| n > 0).map(|n| " ".repeat(n));
    let mut out = std::io::BufWriter::new(out);
    out.write_all(b"[")?;
    for (i, obj) in objects.iter().enumerate() {
        if i > 0 {
            out.write_all(if indent.is_some() { b"," } else { b", " })?;
        }
        match &indent {
            Some(indent) => {
                out.write_all(b"\n")?;
                let formatter = serde_json::ser::PrettyFormatter::with_indent(indent.as_bytes());
                let mut ser = serde_json::Serializer::with_formatter(&mut out, formatter);
                serde::Serialize::serialize(obj, &mut ser)?;
            }
            None => {
                let mut ser =
                    serde_json::Serializer::with_formatter(&mut out, PythonCompactFormatter);
                serde::Serialize::serialize(obj, &mut ser)?;
            }
        }
    }
    if indent.is_some() {
        out.write_all(b"\n")?;
    }
    out.write_all(b"]\n")?;
    out.flush()
}

/// What `loaddata` installed: objects per model.
#[derive(Debug, Default)]
pub struct LoadSummary {
    /// Objects installed per model.
    pub counts: BTreeMap<ModelLabel, usize>,
}

impl LoadSummary {
    /// All objects installed.
    pub fn total(&self) -> usize {
        self.counts.values().sum()
    }
}

/// One `{"model", "pk", "fields"}` entry of a fixture.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawObject {
    model: String,
    #[serde(default)]
    pk: Option<Value>,
    #[serde(default)]
    fields: Map<String, Value>,
}

/// The fields of one fixture object, read one by one with errors that say which object and
/// field is wrong; [`Fields::finish`] refuses fields the model does not have.
struct Fields<'a> {
    what: String,
    map: &'a Map<String, Value>,
    used: HashSet<&'static str>,
}

impl<'a> Fields<'a> {
    fn new(model: ModelLabel, pk: &Option<Value>, map: &'a Map<String, Value>) -> Self {
        let pk = pk
            .as_ref()
            .map_or_else(|| "null".to_owned(), ToString::to_string);
        Fields {
            what: format!("{} (pk={pk})", model.label()),
            map,
            used: HashSet::new(),
        }
    }

    fn get(&mut self, name: &'static str) -> Option<&'a Value> {
        self.used.insert(name);
        self.map.get(name)
    }

    fn error(&self, name: &str, problem: &str) -> anyhow::Error {
        anyhow!("{}: field '{name}': {problem}", self.what)
    }

    fn string(
        &mut self,
        name: &'static str,
        max_len: Option<usize>,
        default: Option<&str>,
    ) -> anyhow::Result<String> {
        let value = match (self.get(name), default) {
            (Some(Value::String(s)), _) => s.clone(),
            (None, Some(default)) => default.to_owned(),
            (None, None) => return Err(self.error(name, "is required")),
            (Some(_), _) => return Err(self.error(name, "must be a string")),
        };
        if let Some(max) = max_len
            && value.chars().count() > max
        {
            return Err(self.error(name, &format!("has more than {max} characters")));
        }
        Ok(value)
    }

    fn bool(&mut self, name: &'static str, default: bool) -> anyhow::Result<bool> {
        match self.get(name) {
            None => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(_) => Err(self.error(name, "must be true or false")),
        }
    }

    fn opt_datetime(&mut self, name: &'static str) -> anyhow::Result<Option<DateTime<Utc>>> {
        match self.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => parse_django_datetime(s)
                .map(Some)
                .ok_or_else(|| self.error(name, &format!("{s:?} is not a valid datetime"))),
            Some(_) => Err(self.error(name, "must be a datetime string")),
        }
    }

    fn datetime(
        &mut self,
        name: &'static str,
        default: DateTime<Utc>,
    ) -> anyhow::Result<DateTime<Utc>> {
        Ok(self.opt_datetime(name)?.unwrap_or(default))
    }

    fn id(&mut self, name: &'static str) -> anyhow::Result<i64> {
        match self.get(name) {
            Some(value) => {
                as_id(value).ok_or_else(|| self.error(name, "must be a primary key (an integer)"))
            }
            None => Err(self.error(name, "is required")),
        }
    }

    fn ids(&mut self, name: &'static str) -> anyhow::Result<Option<Vec<i64>>> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| as_id(v).ok_or_else(|| self.error(name, "must be a list of primary keys")))
                .collect::<anyhow::Result<Vec<_>>>()
                .map(Some),
            Some(_) => Err(self.error(name, "must be a list of primary keys")),
        }
    }

    /// Fields this blog has no table for (`groups`, `user_permissions`): accepted when empty.
    fn unsupported_m2m(&mut self, name: &'static str) -> anyhow::Result<()> {
        match self.ids(name)? {
            Some(ids) if !ids.is_empty() => {
                Err(self.error(name, "is not supported by this blog (it must be empty)"))
            }
            _ => Ok(()),
        }
    }

    fn finish(self) -> anyhow::Result<()> {
        match self.map.keys().find(|k| !self.used.contains(k.as_str())) {
            Some(unknown) => bail!("{}: the model has no field named '{unknown}'", self.what),
            None => Ok(()),
        }
    }
}

/// A primary key: an integer, or a string of digits (Django accepts both).
fn as_id(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The objects of a fixture, decoded and grouped by model.
#[derive(Default)]
struct Decoded {
    users: Vec<user::ActiveModel>,
    tags: Vec<tag::ActiveModel>,
    articles: Vec<article::ActiveModel>,
    /// `(article pk, tag pks)` for articles whose fixture entry has a `tags` list.
    article_tags: Vec<(i64, Vec<i64>)>,
    comments: Vec<comment::ActiveModel>,
    tokens: Vec<token::ActiveModel>,
    counts: BTreeMap<ModelLabel, usize>,
}

/// `Set(pk)` from a fixture's `pk`, or `NotSet` (a new row) when it is absent or null.
fn pk_value(model: ModelLabel, pk: &Option<Value>) -> anyhow::Result<sea_orm::ActiveValue<i64>> {
    match pk {
        None | Some(Value::Null) => Ok(NotSet),
        Some(value) => as_id(value)
            .map(Set)
            .ok_or_else(|| anyhow!("{}: pk {value} is not an integer", model.label())),
    }
}

fn decode(objects: Vec<RawObject>) -> anyhow::Result<Decoded> {
    let now = rest_framework::timezone::now();
    let mut out = Decoded::default();
    for (index, raw) in objects.into_iter().enumerate() {
        let model = ModelLabel::from_label(&raw.model).ok_or_else(|| {
            anyhow!(
                "object #{}: Invalid model identifier: '{}'",
                index + 1,
                raw.model
            )
        })?;
        let mut f = Fields::new(model, &raw.pk, &raw.fields);
        match model {
            ModelLabel::User => {
                let row = user::ActiveModel {
                    id: pk_value(model, &raw.pk)?,
                    password: Set(f.string("password", Some(128), Some(""))?),
                    last_login: Set(f.opt_datetime("last_login")?),
                    is_superuser: Set(f.bool("is_superuser", false)?),
                    first_name: Set(f.string("first_name", Some(150), Some(""))?),
                    last_name: Set(f.string("last_name", Some(150), Some(""))?),
                    is_staff: Set(f.bool("is_staff", false)?),
                    is_active: Set(f.bool("is_active", true)?),
                    date_joined: Set(f.datetime("date_joined", now)?),
                    email: Set(f.string("email", Some(254), None)?),
                };
                f.unsupported_m2m("groups")?;
                f.unsupported_m2m("user_permissions")?;
                out.users.push(row);
            }
            ModelLabel::Tag => out.tags.push(tag::ActiveModel {
                id: pk_value(model, &raw.pk)?,
                name: Set(f.string("name", Some(50), None)?),
            }),
            ModelLabel::Article => {
                let id = pk_value(model, &raw.pk)?;
                let tags = f.ids("tags")?;
                if let (Some(tags), Set(id)) = (&tags, &id) {
                    out.article_tags.push((*id, tags.clone()));
                } else if tags.as_ref().is_some_and(|t| !t.is_empty()) {
                    bail!("{}: an article with tags needs a pk", f.what);
                }
                let created_at = f.datetime("created_at", now)?;
                out.articles.push(article::ActiveModel {
                    id,
                    title: Set(f.string("title", Some(100), None)?),
                    content: Set(f.string("content", None, None)?),
                    user_id: Set(f.id("user")?),
                    created_at: Set(created_at),
                    updated_at: Set(f.datetime("updated_at", created_at)?),
                });
            }
            ModelLabel::Comment => {
                let created_at = f.datetime("created_at", now)?;
                out.comments.push(comment::ActiveModel {
                    id: pk_value(model, &raw.pk)?,
                    article_id: Set(f.id("article")?),
                    user_id: Set(f.id("user")?),
                    content: Set(f.string("content", Some(500), None)?),
                    created_at: Set(created_at),
                    updated_at: Set(f.datetime("updated_at", created_at)?),
                });
            }
            ModelLabel::Token => {
                let key = match &raw.pk {
                    Some(Value::String(key)) if !key.is_empty() && key.len() <= 40 => key.clone(),
                    None | Some(Value::Null) => rest_framework::contrib::authtoken::generate_key(),
                    Some(other) => bail!(
                        "{}: pk {other} is not a token key (1 to 40 characters)",
                        model.label()
                    ),
                };
                out.tokens.push(token::ActiveModel {
                    key: Set(key),
                    created: Set(f.datetime("created", now)?),
                    user_id: Set(f.id("user")?),
                });
            }
        }
        f.finish()?;
        *out.counts.entry(model).or_default() += 1;
    }
    Ok(out)
}

/// Rows per `INSERT` statement (well below SQLite's and PostgreSQL's bind-parameter limits).
const BATCH: usize = 500;

/// Inserts `rows` in batches; with `conflict`, a row whose pk exists updates that row
/// (Django's `save()` of a deserialized object).
async fn insert_rows<A, C>(
    db: &C,
    rows: Vec<A>,
    conflict: Option<OnConflict>,
) -> Result<(), sea_orm::DbErr>
where
    A: ActiveModelTrait + Send,
    C: ConnectionTrait,
{
    insert_in_batches(db, rows, BATCH, conflict.as_ref(), |_| {}).await
}

/// Upserts the rows that have a pk (on `pk`, updating `others`) and inserts those without.
async fn upsert<A, C>(
    db: &C,
    rows: Vec<A>,
    pk: impl ColumnTrait,
    others: Vec<<A::Entity as EntityTrait>::Column>,
    has_pk: impl Fn(&A) -> bool,
) -> Result<(), sea_orm::DbErr>
where
    A: ActiveModelTrait + Send,
    C: ConnectionTrait,
{
    let (with_pk, without_pk): (Vec<A>, Vec<A>) = rows.into_iter().partition(has_pk);
    let conflict = OnConflict::column(pk).update_columns(others).to_owned();
    insert_rows(db, with_pk, Some(conflict)).await?;
    insert_rows(db, without_pk, None).await
}

/// Installs a fixture (Django's `loaddata`) in one transaction: the objects are saved in
/// dependency order whatever their order in the file (users, tags, articles and their tags,
/// comments, tokens); an object whose pk exists replaces that row; an article's `tags` list
/// replaces its tags. On PostgreSQL the id sequences are moved past the largest ids. Any
/// error rolls everything back.
pub async fn load(db: &DatabaseConnection, text: &str) -> anyhow::Result<LoadSummary> {
    let objects: Vec<RawObject> = serde_json::from_str(text)
        .context("not a Django JSON fixture (a list of {\"model\", \"pk\", \"fields\"} objects)")?;
    let decoded = decode(objects)?;
    let counts = decoded.counts.clone();
    let txn = db.begin().await.context("cannot start a transaction")?;
    install(&txn, decoded).await?;
    reset_sequences(&txn)
        .await
        .context("cannot reset the id sequences")?;
    txn.commit().await.context("cannot commit")?;
    Ok(LoadSummary { counts })
}

async fn install<C: ConnectionTrait>(db: &C, d: Decoded) -> anyhow::Result<()> {
    use {
        article::Column as A, comment::Column as C, tag::Column as T, token::Column as K,
        user::Column as U,
    };
    let ctx = |model: ModelLabel| format!("could not load {}", model.label());
    let set = |v: &sea_orm::ActiveValue<i64>| matches!(v, Set(_));
    upsert(
        db,
        d.users,
        U::Id,
        vec![
            U::Password,
            U::LastLogin,
            U::IsSuperuser,
            U::Email,
            U::FirstName,
            U::LastName,
            U::IsStaff,
            U::IsActive,
            U::DateJoined,
        ],
        |r: &user::ActiveModel| set(&r.id),
    )
    .await
    .with_context(|| ctx(ModelLabel::User))?;
    upsert(db, d.tags, T::Id, vec![T::Name], |r: &tag::ActiveModel| {
        set(&r.id)
    })
    .await
    .with_context(|| ctx(ModelLabel::Tag))?;
    upsert(
        db,
        d.articles,
        A::Id,
        vec![A::Title, A::Content, A::UserId, A::CreatedAt, A::UpdatedAt],
        |r: &article::ActiveModel| set(&r.id),
    )
    .await
    .with_context(|| ctx(ModelLabel::Article))?;
    set_article_tags(db, d.article_tags)
        .await
        .context("could not load blog.article's tags")?;
    upsert(
        db,
        d.comments,
        C::Id,
        vec![
            C::ArticleId,
            C::UserId,
            C::Content,
            C::CreatedAt,
            C::UpdatedAt,
        ],
        |r: &comment::ActiveModel| set(&r.id),
    )
    .await
    .with_context(|| ctx(ModelLabel::Comment))?;
    let conflict = OnConflict::column(K::Key)
        .update_columns([K::Created, K::UserId])
        .to_owned();
    insert_rows(db, d.tokens, Some(conflict))
        .await
        .with_context(|| ctx(ModelLabel::Token))?;
    Ok(())
}

/// Replaces the tags of each article with the given tag pks.
async fn set_article_tags<C: ConnectionTrait>(
    db: &C,
    article_tags: Vec<(i64, Vec<i64>)>,
) -> Result<(), sea_orm::DbErr> {
    for chunk in article_tags.chunks(BATCH) {
        let ids: Vec<i64> = chunk.iter().map(|(id, _)| *id).collect();
        article_tag::Entity::delete_many()
            .filter(article_tag::Column::ArticleId.is_in(ids))
            .exec(db)
            .await?;
    }
    let mut links = Vec::new();
    let mut seen = HashSet::new();
    for (article_id, tags) in article_tags {
        for tag_id in tags {
            if seen.insert((article_id, tag_id)) {
                links.push(article_tag::ActiveModel {
                    id: NotSet,
                    article_id: Set(article_id),
                    tag_id: Set(tag_id),
                });
            }
        }
    }
    insert_rows(db, links, None).await
}

/// The tables with an integer id sequence.
const SEQUENCED_TABLES: [&str; 5] = [
    "accounts_user",
    "blog_tag",
    "blog_article",
    "blog_comment",
    "blog_article_tags",
];

/// Django's `sqlsequencereset`: on PostgreSQL, moves each table's id sequence past its largest
/// id, so rows inserted with explicit ids do not make the next `INSERT` collide. SQLite's
/// `AUTOINCREMENT` follows explicit ids by itself.
pub async fn reset_sequences<C: ConnectionTrait>(db: &C) -> Result<(), sea_orm::DbErr> {
    if db.get_database_backend() != DatabaseBackend::Postgres {
        return Ok(());
    }
    for table in SEQUENCED_TABLES {
        db.execute_raw(Statement::from_string(
            DatabaseBackend::Postgres,
            format!(
                "SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), \
                 COALESCE((SELECT MAX(id) FROM \"{table}\"), 1), \
                 (SELECT MAX(id) FROM \"{table}\") IS NOT NULL)"
            ),
        ))
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn datetimes_as_django_writes_and_reads_them() {
        let at = Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap();
        assert_eq!(django_json_datetime(&at), "2026-11-23T10:00:00Z");
        let at = at + chrono::Duration::microseconds(123_456);
        assert_eq!(django_json_datetime(&at), "2026-11-23T10:00:00.123Z");
        let tiny = Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap()
            + chrono::Duration::microseconds(500);
        assert_eq!(django_json_datetime(&tiny), "2026-11-23T10:00:00.000Z");
        assert_eq!(
            parse_django_datetime("2026-11-23T10:00:00.123456Z"),
            Some(at)
        );
        assert_eq!(
            parse_django_datetime("2026-11-23 10:00:00.123456+00:00"),
            Some(at)
        );
        assert_eq!(
            parse_django_datetime("2026-11-23T12:00:00.123456+02:00"),
            Some(at)
        );
        assert_eq!(
            parse_django_datetime("2026-11-23T10:00:00.123456"),
            Some(at)
        );
        assert_eq!(parse_django_datetime("yesterday"), None);
    }

    #[test]
    fn labels_resolve_like_django() {
        assert_eq!(
            resolve_labels(&[]).unwrap(),
            ModelLabel::DUMP_ORDER.to_vec()
        );
        let blog =
            resolve_labels(&["blog".into(), "Accounts.User".into(), "blog.tag".into()]).unwrap();
        assert_eq!(
            blog,
            vec![
                ModelLabel::Tag,
                ModelLabel::Article,
                ModelLabel::Comment,
                ModelLabel::User
            ]
        );
        assert_eq!(
            resolve_labels(&["blog.nope".into()])
                .unwrap_err()
                .to_string(),
            "Unknown model: blog.nope"
        );
        assert_eq!(
            resolve_labels(&["nope".into()]).unwrap_err().to_string(),
            "No installed app with label 'nope'."
        );
    }

    #[test]
    fn writes_python_separators() {
        let objects = vec![
            json!({"model": "blog.tag", "pk": 1, "fields": {"name": "é", "l": []}}),
            json!({"a": [1, 2]}),
        ];
        let mut out = Vec::new();
        write_fixture(&objects, None, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "[{\"model\": \"blog.tag\", \"pk\": 1, \"fields\": {\"name\": \"é\", \"l\": []}}, {\"a\": [1, 2]}]\n"
        );
        let mut out = Vec::new();
        write_fixture(&objects[..1], Some(2), &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "[\n{\n  \"model\": \"blog.tag\",\n  \"pk\": 1,\n  \"fields\": {\n    \"name\": \"é\",\n    \"l\": []\n  }\n}\n]\n"
        );
        let mut out = Vec::new();
        write_fixture(&[], Some(2), &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "[\n]\n");
    }
}
