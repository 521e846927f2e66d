//! What a Django model's `Meta` says, for sea-orm entities: the display name, the default
//! ordering, and the generic helpers the framework needs (primary key of a row, lookup by pk).

use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::{self, Set};
use sea_orm::{
    ActiveModelBehavior, ColumnTrait, EntityTrait, IntoActiveModel, Iterable, ModelTrait, Order,
    PrimaryKeyToColumn, QueryFilter, QueryOrder, Select, Value,
};

/// Django's `Model.Meta` for a sea-orm entity. Implement it once per entity:
///
/// ```
/// # mod article {
/// #     use rest_framework::sea_orm::{self, entity::prelude::*};
/// #     #[sea_orm::model]
/// #     #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
/// #     #[sea_orm(table_name = "blog_article")]
/// #     pub struct Model {
/// #         #[sea_orm(primary_key)]
/// #         pub id: i64,
/// #         pub created_at: DateTimeUtc,
/// #     }
/// #     impl ActiveModelBehavior for ActiveModel {}
/// # }
/// use rest_framework::models::ModelMeta;
/// use rest_framework::sea_orm::Order;
///
/// impl ModelMeta for article::Entity {
///     const NAME: &'static str = "Article";
///     fn ordering() -> Vec<(article::Column, Order)> {
///         vec![(article::Column::CreatedAt, Order::Desc), (article::Column::Id, Order::Desc)]
///     }
/// }
///
/// assert_eq!(article::Entity::ordering().len(), 2);
/// ```
///
/// The bounds collect what serializers and viewsets need from an entity, so generic code
/// does not repeat them. Primary keys are integers (Django's `BigAutoField`).
pub trait ModelMeta:
    EntityTrait<
        Model: Clone + Send + Sync + IntoActiveModel<Self::ActiveModel>,
        ActiveModel: ActiveModelBehavior + Send + Sync,
    >
{
    /// The model's class name (`"Article"`), used in `No Article matches the given query.`
    const NAME: &'static str;
    /// Django's `verbose_name` (`"article"`), used in `article with this title already exists.`
    const VERBOSE_NAME: &'static str = "";

    /// `Meta.ordering`: applied to lists and to nested / related rows of this model.
    fn ordering() -> Vec<(Self::Column, Order)> {
        Vec::new()
    }

    /// The default queryset: every row in `Meta.ordering`.
    fn default_queryset() -> Select<Self> {
        let mut select = Self::find();
        for (column, order) in Self::ordering() {
            select = select.order_by(column, order);
        }
        select
    }
}

/// The first primary-key column of an entity.
pub fn pk_column<E: EntityTrait>() -> E::Column {
    // Every sea-orm entity has at least one primary-key variant; `iter()` yields it first.
    E::PrimaryKey::iter()
        .next()
        .map(PrimaryKeyToColumn::into_column)
        .expect("a sea-orm entity always has a primary key")
}

/// Django's `Meta.verbose_name`: [`ModelMeta::VERBOSE_NAME`], or the lowercased class name.
pub fn verbose_name<E: ModelMeta>() -> String {
    if E::VERBOSE_NAME.is_empty() {
        E::NAME.to_lowercase()
    } else {
        E::VERBOSE_NAME.to_string()
    }
}

/// The integer primary key of a row (0 if the key is not an integer).
pub fn pk_of<E: EntityTrait>(model: &E::Model) -> i64 {
    value_as_i64(&model.get(pk_column::<E>())).unwrap_or_default()
}

/// Reads an integer out of a sea-orm value.
pub fn value_as_i64(value: &Value) -> Option<i64> {
    match value {
        Value::BigInt(Some(v)) => Some(*v),
        Value::Int(Some(v)) => Some(i64::from(*v)),
        Value::SmallInt(Some(v)) => Some(i64::from(*v)),
        Value::BigUnsigned(Some(v)) => i64::try_from(*v).ok(),
        Value::Unsigned(Some(v)) => Some(i64::from(*v)),
        _ => None,
    }
}

/// Whether a sea-orm value is SQL `NULL`.
pub fn value_is_null(value: &Value) -> bool {
    match value {
        Value::Bool(v) => v.is_none(),
        Value::TinyInt(v) => v.is_none(),
        Value::SmallInt(v) => v.is_none(),
        Value::Int(v) => v.is_none(),
        Value::BigInt(v) => v.is_none(),
        Value::TinyUnsigned(v) => v.is_none(),
        Value::SmallUnsigned(v) => v.is_none(),
        Value::Unsigned(v) => v.is_none(),
        Value::BigUnsigned(v) => v.is_none(),
        Value::Float(v) => v.is_none(),
        Value::Double(v) => v.is_none(),
        Value::String(v) => v.is_none(),
        Value::Char(v) => v.is_none(),
        Value::Bytes(v) => v.is_none(),
        _ => false,
    }
}

/// `select.filter(pk = id)`.
pub fn filter_pk<E: EntityTrait>(select: Select<E>, id: i64) -> Select<E> {
    select.filter(pk_column::<E>().eq(id))
}

/// The column named `name` of an entity (a viewset's `lookup_field`).
pub fn column_named<E: EntityTrait>(name: &str) -> Option<E::Column> {
    name.parse::<E::Column>().ok()
}

/// Whether a column holds integers (its URL values parse as Python's `int()` does).
pub fn is_integer_column<C: ColumnTrait>(column: C) -> bool {
    use sea_orm::sea_query::ColumnType;
    matches!(
        column.def().get_column_type(),
        ColumnType::TinyInteger
            | ColumnType::SmallInteger
            | ColumnType::Integer
            | ColumnType::BigInteger
            | ColumnType::TinyUnsigned
            | ColumnType::SmallUnsigned
            | ColumnType::Unsigned
            | ColumnType::BigUnsigned
    )
}

/// A URL value converted for a column (Django's `get_prep_value` in `get_object_or_404`).
pub enum LookupValue {
    /// The value to compare the column with.
    Value(Value),
    /// A valid value no row can have (an integer too large for the column).
    NoMatch,
    /// A value the column's type cannot hold (`abc` for an integer): Django's generic 404.
    Invalid,
}

/// Converts the URL value `raw` for `column`: integers as Python's `int()`, text as is.
pub fn lookup_value<C: ColumnTrait>(column: C, raw: &str) -> LookupValue {
    if !is_integer_column(column) {
        return LookupValue::Value(Value::from(raw.to_string()));
    }
    match crate::fields::parse_py_int(raw) {
        crate::fields::PyInt::Int(value) => LookupValue::Value(Value::from(value)),
        crate::fields::PyInt::OutOfRange => LookupValue::NoMatch,
        crate::fields::PyInt::Invalid => LookupValue::Invalid,
    }
}

/// Django's `auto_now_add` and `auto_now` for a row about to be saved: call it from
/// `ActiveModelBehavior::before_save`. Values the caller set explicitly are kept (a fixture
/// or a test may write its own timestamps); otherwise `created_at` is stamped on insert and
/// `updated_at` on every save.
pub fn set_auto_timestamps(
    created_at: &mut ActiveValue<DateTime<Utc>>,
    updated_at: &mut ActiveValue<DateTime<Utc>>,
    insert: bool,
) {
    let now = crate::timezone::now();
    if insert && created_at.is_not_set() {
        *created_at = Set(now);
    }
    if !matches!(updated_at, ActiveValue::Set(_)) {
        *updated_at = Set(now);
    }
}
