//! Serializers (DRF's `rest_framework.serializers`).
//!
//! `#[derive(ModelSerializer)]` implements [`ModelSerializer`] for a struct whose fields name
//! columns and relations of a sea-orm entity. Serializing is two-phase:
//! [`ModelSerializer::from_models`] receives the whole page of rows, batch-loads every relation
//! (see [`crate::query`]) and only then builds one struct per row, which serde writes
//! straight to bytes. Writes go the other way: [`ModelSerializer::validate`] reads request
//! data with DRF's rules and error texts into a [`Save`], which a view saves in one
//! transaction.
//!
//! ```
//! # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/doc_support/blog.rs"));
//! use rest_framework::ModelSerializer;
//! use rest_framework::sea_orm::prelude::DateTimeUtc;
//! # #[derive(ModelSerializer)]
//! # #[serializer(model = user::Entity)]
//! # pub struct AuthorSerializer {
//! #     #[field(read_only)] pub id: i64,
//! #     #[field(read_only)] pub email: String,
//! # }
//! # #[derive(ModelSerializer)]
//! # #[serializer(model = comment::Entity)]
//! # pub struct CommentSerializer {
//! #     #[field(read_only)] pub id: i64,
//! #     pub content: String,
//! # }
//!
//! #[derive(ModelSerializer)]
//! #[serializer(model = article::Entity)]          // `name = "Article"` by default
//! pub struct ArticleSerializer {
//!     #[field(read_only)]                  pub id: i64,
//!     #[field(max_length = 100)]           pub title: String,
//!                                          pub content: String,
//!     #[field(read_only, pk_related)]      pub user: i64,                // column `user_id`
//!     #[field(nested, source = "user")]    pub author: AuthorSerializer, // forward FK, nested
//!     #[field(pk_related, many, queryset = tag::Entity, required = false)]
//!                                          pub tags: Vec<i64>,           // writable M2M
//!     #[field(nested, many)]               pub comment_set: Vec<CommentSerializer>,
//!     #[field(count = comment::Entity)]    pub comment_count: i64,       // one GROUP BY
//!     #[field(read_only)]                  pub created_at: DateTimeUtc,
//! }
//! # fn main() {}
//! ```
//!
//! Field options:
//!
//! | option | meaning |
//! | --- | --- |
//! | *(none)* | a column of the model, read and written; the Rust type must be the column's |
//! | `read_only` / `write_only` | output only / input only (not both) |
//! | `required = false` | may be omitted on create (`Option<T>` fields are optional and nullable) |
//! | `max_length`, `min_length`, `allow_blank` | CharField rules |
//! | `min_value`, `max_value` | number bounds |
//! | `source = "name"` | the model attribute to read (a column, or the relation of `pk_related` / `nested`) |
//! | `pk_related` | a forward foreign key shown as its primary key (column `<name>_id`); with `many` and `queryset = Entity`, the primary keys of a to-many relation, writable with existence checks |
//! | `nested` (+ `many`) | a nested serializer over a forward FK, reverse FK or many-to-many (read-only) |
//! | `nested, many, writable` (+ `allow_empty = false`) | a writable nested serializer over a reverse foreign key (see below) |
//! | `count = Entity` | the number of related rows (read-only) |
//! | `validate(email, url, slug, regex = "..", length(min, max), range(min, max), contains = "..", custom = path)` | rules of the `validator` crate and DRF's field classes, with DRF's messages (`slug`: `SlugField`, `regex`: `RegexField`, a search, checked at compile time); `custom` is a `fn(&T) -> Result<(), String>`; `email` reads the field as DRF's `EmailField` (a wrong type is `Enter a valid email address.`); on a read-only column `email` / `url` only say what the field is (OPTIONS `email` / `url`, the schema's format) |
//! | `default = expr` | the value when the key is absent on create / full update (not on PATCH); not with `required`; shown as the schema's `default` |
//! | `allow_null` | accept `null` (the type must be `Option<T>`; nullable columns allow it unless `allow_null = false`); else `This field may not be null.` |
//! | `validate_with = path` | DRF's `validate_<field>`: `fn(T) -> Result<T, String>`, after the field's own rules; may change the value |
//! | `source = "user.email"` | a column of the row a forward foreign key points at (read-only; one `IN` query per page) |
//! | `pk_related` (without `read_only`) | a writable forward foreign key (`user` writes `user_id`): `Invalid pk "99" - object does not exist.`, `Incorrect type. Expected pk value, received str.` |
//! | `slug_field = "name"` (+ `many`, `queryset = Entity`) | DRF's `SlugRelatedField`: the related row(s) by a column, writable: `Object with name=x does not exist.`, `Invalid value.` |
//! | `string_related` (+ `many`, `queryset = Entity`) | DRF's `StringRelatedField`: the related row's `Display` (read-only) |
//! | `method = path` | DRF's `SerializerMethodField`: `fn(&Model, &SerializerContext) -> T` (read-only) |
//!
//! The related entity of a forward relation (`pk_related`, `slug_field`, `string_related`,
//! dotted `source`) is `queryset = ...` when given, else the module beside the model's named
//! after the relation (`model = article::Entity`, field `user` -> `user::Entity`).
//!
//! **Writable nested serializers.** `#[field(nested, many, writable)] pub notes: Vec<NoteSerializer>`
//! on a reverse foreign key (`post.notes`, the child holds `post_id`) validates every item with
//! the child serializer and reports errors as DRF's `ListSerializer`, keyed by index:
//! `{"notes": [{}, {"body": ["This field may not be blank."]}]}`; a non-list gets
//! `{"notes": {"non_field_errors": ["Expected a list of items but got type \"dict\"."]}}`, a
//! non-object item `{"non_field_errors": ["Invalid data. Expected a dictionary, but got str."]}`,
//! a `null` item `["This field may not be null."]`, and with `allow_empty = false` an empty
//! list `{"non_field_errors": ["This list may not be empty."]}`. Without `many`
//! (`Option<ChildSerializer>` for a nullable one) a single object is validated, with errors
//! nested under the field (`{"author": {"email": ["Enter a valid email address."]}}`).
//! [`Save::insert`] writes the children after the parent, with their foreign key set to it, in
//! the parent's transaction: a child the database refuses rolls everything back. On update a
//! given list **replaces the set** (the parent's existing children are deleted, the new ones
//! inserted; rows that reference the old children need `ON DELETE CASCADE`); a partial
//! update without the key leaves them alone. Items are always validated as new rows
//! (no `id` matching). The request schemas refer to
//! the child's `...Request` schema. A forward foreign key or many-to-many marked `writable` is
//! refused when saving (server error): only reverse foreign keys are written.
//!
//! Struct options: `#[serializer(unique_together(title, user))]` (repeatable; DRF's
//! `UniqueTogetherValidator`: `The fields title, user must make a unique set.` under
//! `non_field_errors`, skipped while a value is unknown or null) and
//! `#[serializer(validate_with = path)]`, DRF's `validate(attrs)`:
//! `fn(&mut ActiveModelOf<S>, Option<&ModelOf<S>>) -> Result<(), E>` with
//! `ValidationErrors: From<E>` (a `String` lands under `non_field_errors`). Both run only
//! when every field is valid, unique-together first. For bodies without a model, derive
//! [`Serializer`].
//!
//! A field that is not a column, a type that is not the column's, `read_only` with
//! `write_only`, an unknown option, `default` with `required`, `allow_null` on a non-`Option`
//! field, a writable `method`: each is a compile error pointing at the field or option.

use crate::exceptions::{ApiError, ApiResult};
use crate::fields::Representation;
use crate::models::{ModelMeta, pk_of};
use crate::query::related::Preloaded;
use crate::urls::Reverser;
use poem_openapi::registry::{MetaSchemaRef, Registry};
use sea_orm::{
    ActiveModelTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, TransactionTrait,
};
use serde::Serialize;
use std::future::Future;

pub use crate::exceptions::{ErrorDetail, NON_FIELD_ERRORS, ValidationErrors};

/// The row type of a serializer's entity.
pub type ModelOf<S> = <<S as ModelSerializer>::Entity as EntityTrait>::Model;
/// The active model (pending changes) of a serializer's entity.
pub type ActiveModelOf<S> = <<S as ModelSerializer>::Entity as EntityTrait>::ActiveModel;

/// What a serializer may need from the request while it loads or validates.
#[derive(Clone, Copy)]
pub struct SerializerContext<'a> {
    /// The database connection.
    pub db: &'a DatabaseConnection,
    /// `scheme://host` of the request, for absolute URLs (hyperlinks).
    pub base_url: &'a str,
    /// Route names to paths, for hyperlinks.
    pub urls: &'a Reverser,
    /// Whether the data came from an HTML form (DRF's `html.is_html_input`): a to-many field
    /// given once is then a list of one.
    pub html_input: bool,
}

impl<'a> SerializerContext<'a> {
    /// A context without routes (hyperlinked fields then fail with a server error).
    pub fn new(db: &'a DatabaseConnection, base_url: &'a str) -> Self {
        static NO_ROUTES: std::sync::OnceLock<Reverser> = std::sync::OnceLock::new();
        SerializerContext {
            db,
            base_url,
            urls: NO_ROUTES.get_or_init(Reverser::default),
            html_input: false,
        }
    }

    /// The absolute URL of the object `pk` at route `view_name` (DRF's hyperlinks).
    pub fn hyperlink(&self, view_name: &str, pk: i64) -> ApiResult<String> {
        self.hyperlink_lookup(view_name, &pk.to_string())
    }

    /// The absolute URL at route `view_name` of the object whose lookup value (DRF's
    /// `lookup_field` on the hyperlinked field) is `value`, percent-encoded as Django's
    /// `reverse()` does.
    pub fn hyperlink_lookup(&self, view_name: &str, value: &str) -> ApiResult<String> {
        // Django quotes URL arguments keeping RFC 3986's unreserved and sub-delimiter
        // characters and `/~:@`.
        const DJANGO_QUOTE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
            .remove(b'-')
            .remove(b'.')
            .remove(b'_')
            .remove(b'~')
            .remove(b'!')
            .remove(b'$')
            .remove(b'&')
            .remove(b'\'')
            .remove(b'(')
            .remove(b')')
            .remove(b'*')
            .remove(b'+')
            .remove(b',')
            .remove(b';')
            .remove(b'=')
            .remove(b'/')
            .remove(b':')
            .remove(b'@');
        let value = percent_encoding::utf8_percent_encode(value, DJANGO_QUOTE).to_string();
        self.urls
            .reverse(view_name, &[&value])
            .map(|path| format!("{}{path}", self.base_url))
            .ok_or_else(|| {
                ApiError::Internal(format!(
                    "Could not resolve URL for hyperlinked relationship using view name \"{view_name}\"."
                ))
            })
    }
}

/// A DRF `ModelSerializer`. Derive it; do not implement it by hand.
pub trait ModelSerializer:
    Serialize + Representation + crate::query::Reads + Sized + Send + Sync + 'static
{
    /// The sea-orm entity (`Meta.model`).
    type Entity: ModelMeta;
    /// To-many writes (e.g. `tags`) held until the row has a primary key.
    type Relations: Default + Send + Sync;

    /// The schema name in the OpenAPI document (`Article` for `ArticleSerializer`).
    const NAME: &'static str;
    /// The declared fields, in order (the order of the output and of error bodies).
    const FIELDS: &'static [&'static str];

    /// Loads what the fields need for a whole page of rows (one query per relation) and
    /// builds one representation per row, in order.
    fn from_models(
        models: &[ModelOf<Self>],
        ctx: &SerializerContext<'_>,
    ) -> impl Future<Output = ApiResult<Vec<Self>>> + Send {
        async move { Self::build(models, &Preloaded::default(), ctx).await }
    }

    /// Reads and validates request data (DRF's `is_valid()`): every field's errors in one
    /// [`ValidationErrors`]. `instance` is the row being updated; `partial` is PATCH.
    fn validate(
        data: &serde_json::Map<String, serde_json::Value>,
        instance: Option<&ModelOf<Self>>,
        partial: bool,
        ctx: &SerializerContext<'_>,
    ) -> impl Future<Output = ApiResult<Save<Self>>> + Send;

    /// Writes the to-many relations of a saved row (inside its transaction); `created` when
    /// the row was just inserted (it has no relations to clear yet).
    fn save_relations(
        relations: &Self::Relations,
        pk: i64,
        created: bool,
        txn: &DatabaseTransaction,
    ) -> impl Future<Output = ApiResult<()>> + Send;

    /// Registers the read schema (`Article`), the request schema (`ArticleRequest`) and the
    /// partial-update schema (`PatchedArticleRequest`), and those of nested serializers.
    fn register_schemas(registry: &mut Registry);

    /// The fields as OPTIONS describes them (DRF's `SimpleMetadata.get_serializer_info`).
    fn metadata() -> Vec<(&'static str, crate::metadata::FieldInfo)>;

    /// A `$ref` to the read schema.
    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Reference(Self::NAME.to_string())
    }

    /// Renders one row (a page of one).
    fn from_model(
        model: &ModelOf<Self>,
        ctx: &SerializerContext<'_>,
    ) -> impl Future<Output = ApiResult<Self>> + Send {
        async move {
            Self::from_models(std::slice::from_ref(model), ctx)
                .await?
                .pop()
                .ok_or_else(|| crate::exceptions::ApiError::Internal("empty render".into()))
        }
    }
}

/// Validated data ready to be saved: DRF's `serializer.save(**extra)`.
///
/// Views hand it to `perform_create` / `perform_update`, which may set more columns on
/// [`Save::model`] (e.g. the author from the request user) before saving.
pub struct Save<S: ModelSerializer> {
    /// The row's changes. Set extra columns here: `save.model.user_id = Set(user.id)`.
    pub model: ActiveModelOf<S>,
    /// To-many relations to write after the row.
    pub relations: S::Relations,
}

impl<S: ModelSerializer> Save<S> {
    /// Inserts the row and its relations in one transaction.
    pub async fn insert(self, db: &DatabaseConnection) -> ApiResult<ModelOf<S>> {
        self.save(db, true).await
    }

    /// Updates the row and its relations in one transaction.
    pub async fn update(self, db: &DatabaseConnection) -> ApiResult<ModelOf<S>> {
        self.save(db, false).await
    }

    async fn save(self, db: &DatabaseConnection, insert: bool) -> ApiResult<ModelOf<S>> {
        let txn = db.begin().await?;
        let model = if insert {
            self.model.insert(&txn).await?
        } else {
            self.model.update(&txn).await?
        };
        S::save_relations(&self.relations, pk_of::<S::Entity>(&model), insert, &txn).await?;
        txn.commit().await?;
        Ok(model)
    }
}

/// DRF's plain `Serializer`: request data validated into a struct, with no model (a login
/// body, a password change). Derive it with `#[derive(Serializer)]`; the fields take the
/// options of [`ModelSerializer`] fields that do not involve a model (`read_only`,
/// `write_only`, `required`, `default`, `allow_null`, `allow_blank`, lengths, bounds,
/// `validate(...)`, `validate_with`), and `#[serializer(validate_with = path)]` adds an
/// object-level check `fn(&Self) -> Result<(), E>` where `ValidationErrors: From<E>`.
///
/// ```
/// use rest_framework::exceptions::ValidationErrors;
/// use rest_framework::serializers::Serializer;
///
/// #[derive(rest_framework::Serializer)]
/// #[serializer(validate_with = passwords_match)]
/// pub struct PasswordChangeSerializer {
///     #[field(write_only, max_length = 128)] pub new_password1: String,
///     #[field(write_only, max_length = 128)] pub new_password2: String,
/// }
///
/// fn passwords_match(body: &PasswordChangeSerializer) -> Result<(), ValidationErrors> {
///     if body.new_password1 == body.new_password2 {
///         return Ok(());
///     }
///     Err(ValidationErrors::field("new_password2", "The two password fields didn’t match."))
/// }
///
/// let request_data = serde_json::json!({"new_password1": "s3cret!", "new_password2": "s3cret?"});
/// let refused = PasswordChangeSerializer::from_request(&request_data); // DRF's 400 on errors
/// assert!(refused.is_err());
/// let request_data = serde_json::json!({"new_password1": "s3cret!", "new_password2": "s3cret!"});
/// let body = PasswordChangeSerializer::from_request(&request_data).unwrap();
/// assert_eq!(body.new_password1, "s3cret!");
/// ```
///
/// Omitted optional fields take their `default`, else `Default::default()`. Read-only fields
/// are output only (`Serialize` writes every field except write-only ones).
pub trait Serializer: Serialize + Sized + Send + 'static {
    /// The schema name (`Login` for `LoginSerializer`).
    const NAME: &'static str;
    /// The declared fields, in order.
    const FIELDS: &'static [&'static str];

    /// Reads and validates an object (`partial`: missing required fields are no error).
    fn from_data(
        data: &serde_json::Map<String, serde_json::Value>,
        partial: bool,
    ) -> Result<Self, ValidationErrors>;

    /// Reads every field as [`Serializer::from_data`] does, without the object-level hook:
    /// the value (a field with errors, or omitted, holds its default) and every field's
    /// errors, in field order. For DRF's `validate_<field>` checks that need more than the
    /// value (the database, the settings): run them on the fields `errors` names no message
    /// for, then [`ValidationErrors::sort_by_fields`] with [`Serializer::FIELDS`].
    fn read_fields(
        data: &serde_json::Map<String, serde_json::Value>,
        partial: bool,
    ) -> (Self, ValidationErrors);

    /// Registers the serializer's schema (`Login`): every field, read-only ones `readOnly`,
    /// write-only ones `writeOnly` (drf-spectacular without `COMPONENT_SPLIT_REQUEST`).
    fn register_schemas(registry: &mut Registry);

    /// The fields as OPTIONS describes them (DRF's `SimpleMetadata.get_serializer_info`:
    /// every field, write-only ones included).
    fn metadata() -> Vec<(&'static str, crate::metadata::FieldInfo)>;

    /// Validates request data (DRF's `is_valid(raise_exception=True)`): a body that is not an
    /// object gets `{"non_field_errors": ["Invalid data. Expected a dictionary, but got str."]}`.
    fn from_request(data: &serde_json::Value) -> ApiResult<Self> {
        match data {
            serde_json::Value::Object(map) => {
                Self::from_data(map, false).map_err(ApiError::Validation)
            }
            other => Err(ApiError::non_field(crate::fields::messages::not_a_dict(
                crate::fields::python_type_name(other),
            ))),
        }
    }

    /// A `$ref` to the request schema: the serializer's one component, as drf-spectacular
    /// without `COMPONENT_SPLIT_REQUEST`.
    fn request_schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Reference(Self::NAME.to_string())
    }
}

impl ValidationErrors {
    /// One message for one field (`validate_with` hooks return these).
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let mut errors = ValidationErrors::default();
        errors.add(field, message);
        errors
    }
}

/// An object-level hook's message: under `non_field_errors`, as DRF's `validate()` raising
/// `ValidationError("...")`.
impl From<String> for ValidationErrors {
    fn from(message: String) -> Self {
        ValidationErrors::field(NON_FIELD_ERRORS, message)
    }
}

impl From<&str> for ValidationErrors {
    fn from(message: &str) -> Self {
        ValidationErrors::field(NON_FIELD_ERRORS, message)
    }
}

/// The result of an object-level `validate_with` hook as [`ValidationErrors`] (generated code).
#[doc(hidden)]
pub fn hook_errors<E: Into<ValidationErrors>>(
    result: Result<(), E>,
) -> Result<(), ValidationErrors> {
    result.map_err(Into::into)
}
