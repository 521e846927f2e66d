//! The account views (dj-rest-auth's `views.py` and `registration/views.py`), with their
//! serializers' validation written out in dj-rest-auth's order.

use super::email_address::{self, entity as address};
use super::{AccountUser, Accounts, EmailVerification};
use crate::contrib::auth::RequestUser;
use crate::contrib::auth::authenticate;
use crate::contrib::auth::hashers::make_password;
use crate::contrib::auth::password_validation::{UserAttribute, validate_password};
use crate::contrib::auth::tokens::{
    PasswordResetTokenGenerator, TokenUser, base36_to_int, int_to_base36,
};
use crate::contrib::mail::EmailMessage;
use crate::exceptions::{ApiError, ApiResult, NON_FIELD_ERRORS, ValidationErrors};
use crate::fields::{FieldOptions, parse_field, validators};
use crate::models::{filter_pk, pk_column, pk_of};
use crate::openapi::{operation, request_body, response, schema};
use crate::request::RequestContext;
use crate::response::Response;
use crate::views::ApiView;
use poem::http::{Method, StatusCode};
use poem_openapi::registry::{MetaOperation, MetaSchemaRef, Registry};
use poem_openapi::types::Type;
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{
    ActiveModelTrait, ActiveValue, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, SqlErr, TransactionTrait,
};
use serde_json::{Map, Value, json};
use std::marker::PhantomData;
use std::sync::Arc;

type Data = Map<String, Value>;

// ---------------------------------------------------------------------------------------------
// Messages

/// dj-rest-auth's registration mismatch (straight apostrophe).
const REGISTER_MISMATCH: &str = "The two password fields didn't match.";
/// Django's `SetPasswordForm` mismatch (curly apostrophe).
const SET_PASSWORD_MISMATCH: &str = "The two password fields didn’t match.";
const ALREADY_REGISTERED: &str = "User is already registered with this e-mail address.";
const UNABLE_TO_LOG_IN: &str = "Unable to log in with provided credentials.";
const MUST_INCLUDE: &str = "Must include \"email\" and \"password\".";
const INVALID_VALUE: &str = "Invalid value";
const VERIFICATION_SENT: &str = "Verification e-mail sent.";
const EMAIL_NOT_VERIFIED: &str = "E-mail is not verified.";

// ---------------------------------------------------------------------------------------------
// Fields

/// DRF's `CharField` with `max_length` (no limit: `None`).
fn char_field(
    data: &Data,
    name: &str,
    max_length: Option<usize>,
    errors: &mut ValidationErrors,
) -> Option<String> {
    let options = FieldOptions {
        max_length,
        ..FieldOptions::DEFAULT
    };
    parse_field(data, name, &options, true, errors)
}

/// DRF's `EmailField`: a trimmed string that Django's e-mail validator accepts (blank
/// passes when `allow_blank`).
fn email_field(
    data: &Data,
    name: &str,
    required: bool,
    allow_blank: bool,
    errors: &mut ValidationErrors,
) -> Option<String> {
    // `EmailField` overrides CharField's `invalid` message, which also refuses non-strings.
    if matches!(
        data.get(name),
        Some(Value::Bool(_) | Value::Array(_) | Value::Object(_))
    ) {
        errors.add(name, crate::fields::messages::INVALID_EMAIL);
        return None;
    }
    let options = FieldOptions {
        allow_blank,
        ..FieldOptions::DEFAULT
    };
    let Some(value) = parse_field::<String>(data, name, &options, required, errors) else {
        // DRF runs the e-mail validator after CharField's null and surrogate character
        // validators, so a value they refuse gets its message too (a blank one does not).
        if let Some(Value::String(raw)) = data.get(name) {
            let text = crate::parsers::lone_surrogates::one_char_each(raw.trim());
            if !text.is_empty()
                && let Err(message) = validators::email(&text)
            {
                errors.add(name, message);
            }
        }
        return None;
    };
    if value.is_empty() {
        return Some(value);
    }
    match validators::email(&value) {
        Ok(()) => Some(value),
        Err(message) => {
            errors.add(name, message);
            None
        }
    }
}

/// The request's data as DRF's serializers read it: a key an HTML form repeats gives its last
/// value (`QueryDict.get`).
fn request_data(ctx: &RequestContext) -> ApiResult<Data> {
    let data = ctx.data()?;
    let html_input = crate::parsers::is_html_input(ctx.header("content-type"));
    Ok(crate::parsers::html_form_data(&data, &[], true, html_input).into_owned())
}

/// Unwraps fields that validated (none is missing once the errors are empty).
fn validated<T>(value: Option<T>) -> ApiResult<T> {
    value.ok_or_else(|| ApiError::Internal("a validated field is missing".into()))
}

/// Django's `SetPasswordForm` after the serializer's fields: the passwords must match, then
/// the validators judge `new_password2` for this user; every error goes under
/// `new_password2`.
fn check_new_password(
    accounts: &Accounts,
    password1: &str,
    password2: &str,
    user: &[UserAttribute<'_>],
) -> ApiResult<()> {
    if password1 != password2 {
        return Err(ApiError::field("new_password2", SET_PASSWORD_MISMATCH));
    }
    validate_password(
        password2,
        Some(user),
        &accounts.settings.password_validators,
    )
    .map_err(|messages| {
        let mut errors = ValidationErrors::default();
        errors.extend("new_password2", messages);
        ApiError::Validation(errors)
    })
}

// ---------------------------------------------------------------------------------------------
// Users

async fn load_user<U: AccountUser>(
    db: &DatabaseConnection,
    id: i64,
) -> ApiResult<Option<U::Model>> {
    Ok(filter_pk(U::find(), id).one(db).await?)
}

/// The users whose e-mail is `email`, ignoring case (allauth's `email__iexact`).
async fn users_by_email<U: AccountUser>(
    db: &DatabaseConnection,
    email: &str,
) -> ApiResult<Vec<U::Model>> {
    let Some(column) = U::column("email") else {
        return Ok(Vec::new());
    };
    if email.contains('\0') {
        return Ok(Vec::new());
    }
    let condition = Expr::expr(Func::lower(column.into_expr())).eq(email.to_lowercase());
    Ok(U::find().filter(condition).all(db).await?)
}

/// Sets one column of the user `id`.
async fn update_column<U: AccountUser>(
    db: &DatabaseConnection,
    id: i64,
    name: &str,
    value: impl Into<sea_orm::Value>,
) -> ApiResult<()> {
    let column = U::column(name)
        .ok_or_else(|| ApiError::Internal(format!("the user entity has no `{name}` column")))?;
    U::update_many()
        .col_expr(column, Expr::value(value.into()))
        .filter(pk_column::<U>().eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// dj-rest-auth's `UserDetailsSerializer`: `pk`, `email`, `first_name`, `last_name`.
fn user_details<U: AccountUser>(user: &U::Model) -> Value {
    json!({
        "pk": pk_of::<U>(user),
        "email": U::email(user),
        "first_name": U::first_name(user),
        "last_name": U::last_name(user),
    })
}

/// A login (Django's `login()`, after `last_login` was recorded): issues a JWT pair and answers
/// dj-rest-auth's `JWTSerializer` body, `{"access", "refresh", "user"}`. Login also sets
/// the JWT cookies; registration does not.
async fn login_response<U: AccountUser>(
    ctx: &RequestContext,
    accounts: &Accounts,
    user: &U::Model,
    status: StatusCode,
    jwt_cookies: bool,
) -> ApiResult<Response> {
    let state = ctx.state();
    let id = pk_of::<U>(user);
    let pair = crate::contrib::simplejwt::tokens::obtain_pair(state, id).await?;
    let body = json!({
        "access": pair.access,
        "refresh": pair.refresh,
        "user": user_details::<U>(user),
    });
    let mut response = Response::json(status, &body);
    if jwt_cookies {
        response = crate::contrib::accounts::jwt_cookies::set_jwt_cookies(
            response,
            &state.settings.jwt_cookies(),
            &state.settings.jwt(),
            &pair.access,
            &pair.refresh,
        );
    }
    session_login(ctx, accounts, &U::request_user(user), response).await
}

/// SESSION LOGIN HOOK: dj-rest-auth's `django_login(request, user)` (and
/// `update_session_auth_hash` after a password change). Registration, login and password
/// change all pass through here; with [`super::AccountsSettings::session_login`] set (the
/// `sessions` module's `login`), its `csrftoken` / `sessionid` cookies are added.
async fn session_login(
    ctx: &RequestContext,
    accounts: &Accounts,
    user: &RequestUser,
    mut response: Response,
) -> ApiResult<Response> {
    if let Some(sessions) = &accounts.settings.session_login {
        for cookie in sessions.login(ctx, user).await? {
            response = response.append_header("Set-Cookie", &cookie);
        }
    }
    Ok(response)
}

fn detail(text: &str) -> Response {
    Response::ok(&json!({ "detail": text }))
}

// ---------------------------------------------------------------------------------------------
// E-mail addresses and their confirmation (allauth)

/// allauth's `setup_user_email`: records the new user's address, primary and not verified.
async fn add_email_address<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    email: &str,
) -> ApiResult<address::Model> {
    let row = address::ActiveModel {
        id: ActiveValue::NotSet,
        email: ActiveValue::Set(email.to_owned()),
        verified: ActiveValue::Set(false),
        primary: ActiveValue::Set(true),
        user_id: ActiveValue::Set(user_id),
    };
    Ok(row.insert(db).await?)
}

/// Whether the user has verified `email` (dj-rest-auth's `validate_email_verification_status`).
async fn has_verified_email(db: &DatabaseConnection, user_id: i64, email: &str) -> ApiResult<bool> {
    let count = address::Entity::find()
        .filter(address::Column::UserId.eq(user_id))
        .filter(address::Column::Email.eq(email))
        .filter(address::Column::Verified.eq(true))
        .count(db)
        .await?;
    Ok(count > 0)
}

/// allauth's `email_confirmation` mail (subject prefixed with the site's name).
fn confirmation_message(accounts: &Accounts, to: &str, link: &str) -> EmailMessage {
    let settings = &accounts.settings;
    let body = format!(
        "Hello from {site}!\n\nYou're receiving this email because user {to} has given your email address to register an account on {domain}.\n\nTo confirm this is correct, go to {link}\n\nThank you for using {site}!\n{domain}\n",
        site = settings.site_name,
        domain = settings.site_domain,
    );
    EmailMessage::new(
        format!("[{}] Please Confirm Your Email Address", settings.site_name),
        body,
        settings.default_from_email.clone(),
        vec![to.to_owned()],
    )
}

/// allauth's `EmailAddress.send_confirmation`: mails a link carrying a new HMAC key.
async fn send_confirmation(
    ctx: &RequestContext,
    accounts: &Accounts,
    row: &address::Model,
) -> ApiResult<()> {
    let key = email_address::confirmation_key(row.id, &ctx.state().settings.secret_key);
    let link = ctx.build_absolute_uri(&accounts.confirm_email_link_path(&key));
    let message = confirmation_message(accounts, &row.email, &link);
    accounts
        .settings
        .email_backend
        .send_messages(&[message])
        .await
        .map_err(|err| ApiError::Internal(format!("confirmation e-mail: {err}")))?;
    Ok(())
}

/// allauth's `EmailConfirmationHMAC.confirm`: marks the address verified unless, with unique
/// addresses, another user verified it first (then it stays unverified, as allauth's
/// `can_set_verified` decides).
async fn confirm_address(db: &DatabaseConnection, row: &address::Model) -> ApiResult<()> {
    let taken = address::Entity::find()
        .filter(address::Column::Id.ne(row.id))
        .filter(address::Column::Email.eq(row.email.as_str()))
        .filter(address::Column::Verified.eq(true))
        .count(db)
        .await?;
    if taken > 0 {
        return Ok(());
    }
    let result = address::Entity::update_many()
        .col_expr(address::Column::Verified, Expr::value(true))
        .filter(address::Column::Id.eq(row.id))
        .exec(db)
        .await;
    match result {
        // `unique_verified_email`: verified by someone else since the check above.
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => Ok(()),
        Err(err) => Err(err.into()),
        Ok(_) => Ok(()),
    }
}

// ---------------------------------------------------------------------------------------------
// OPTIONS metadata and OpenAPI

/// One field of a view's serializer, for OPTIONS and the schema.
struct FieldInfo {
    name: &'static str,
    kind: &'static str,
    required: bool,
    read_only: bool,
    write_only: bool,
    max_length: Option<usize>,
    /// An optional e-mail that may be `""` (`EmailField(required=False, allow_blank=True)`).
    allow_blank: bool,
}

const fn field(name: &'static str, kind: &'static str, required: bool) -> FieldInfo {
    FieldInfo {
        name,
        kind,
        required,
        read_only: false,
        write_only: false,
        max_length: None,
        allow_blank: false,
    }
}

/// A field's label: the model's `verbose_name` for the user's `pk` and `email`, DRF's
/// default otherwise.
fn field_label(f: &FieldInfo) -> String {
    match f.name {
        "pk" => "ID".to_owned(),
        "email" if f.read_only => "Email address".to_owned(),
        name => label(name),
    }
}

/// The docstrings of dj-rest-auth's serializers, drf-spectacular's component descriptions.
fn serializer_docstring(component: &str) -> Option<&'static str> {
    match component {
        "UserDetails" | "PatchedUserDetails" => Some("User model w/o password"),
        "JWT" => Some("Serializer for JWT authentication."),
        "PasswordReset" => Some("Serializer for requesting a password reset e-mail."),
        "PasswordResetConfirm" => Some("Serializer for confirming a password reset attempt."),
        _ => None,
    }
}

const fn write_only(name: &'static str) -> FieldInfo {
    FieldInfo {
        write_only: true,
        ..field(name, "string", true)
    }
}

const fn limited(name: &'static str, max_length: usize) -> FieldInfo {
    FieldInfo {
        max_length: Some(max_length),
        ..field(name, "string", true)
    }
}

/// DRF's default label: `new_password1` -> `New password1`.
fn label(name: &str) -> String {
    let text = name.replace('_', " ");
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// `SimpleMetadata`'s `actions` for one method.
fn metadata(method: &str, fields: &[FieldInfo]) -> Value {
    let mut out = Map::new();
    for f in fields {
        let mut info = json!({
            "type": f.kind,
            "required": f.required,
            "read_only": f.read_only,
            "label": field_label(f),
        });
        if let (Some(max), Some(obj)) = (f.max_length, info.as_object_mut()) {
            obj.insert("max_length".into(), json!(max));
        }
        out.insert(f.name.into(), info);
    }
    json!({ method: out })
}

/// Registers an object schema for `fields` under `name`.
fn register_schema(registry: &mut Registry, name: &str, fields: &[FieldInfo], partial: bool) {
    let properties = fields
        .iter()
        .map(|f| {
            let base = match f.kind {
                "integer" => <i64 as Type>::schema_ref(),
                "email" => schema::email(f.allow_blank),
                _ => <String as Type>::schema_ref(),
            };
            let property = schema::field(base, f.read_only, f.write_only, false, f.max_length);
            (f.name, schema::titled(property, f.name, &field_label(f)))
        })
        .collect();
    let required = fields
        .iter()
        .filter(|f| !partial && (f.required || f.read_only))
        .map(|f| f.name)
        .collect();
    schema::register_described_object(
        registry,
        name.to_owned(),
        serializer_docstring(name),
        properties,
        required,
    );
}

/// drf-spectacular's operation id and tag for a path: `/api/accounts/v1/login/` ->
/// `accounts_v1_login_<action>`, tag `accounts`.
fn operation_for(path: &str, method: Method, action: &str) -> MetaOperation {
    let trimmed = path.trim_start_matches("/api/").trim_matches('/');
    let tag: &'static str = Box::leak(
        trimmed
            .split('/')
            .next()
            .unwrap_or("api")
            .to_owned()
            .into_boxed_str(),
    );
    let id = format!("{}_{action}", trimmed.replace(['/', '-'], "_"));
    operation(method, tag, id)
}

/// A POST operation taking `request` and answering `response_schema`.
fn post_operation(
    path: &str,
    registry: &mut Registry,
    request: (&str, &[FieldInfo]),
    response_schema: &str,
    description: &'static str,
) -> Vec<MetaOperation> {
    register_schema(registry, request.0, request.1, false);
    let mut op = operation_for(path, Method::POST, "create");
    op.description = Some(description);
    op.request = Some(request_body(request.0));
    op.responses.responses.push(response(
        200,
        "",
        Some(MetaSchemaRef::Reference(response_schema.into())),
    ));
    vec![op]
}

/// Documents the operations' success answer as 201 Created.
fn created(ops: &mut [MetaOperation]) {
    for op in ops {
        if let Some(first) = op.responses.responses.first_mut() {
            first.status = Some(201);
        }
    }
}

/// dj-rest-auth's `RestAuthDetail` response schema.
fn register_detail_schema(registry: &mut Registry) {
    register_schema(
        registry,
        "RestAuthDetail",
        &[FieldInfo {
            read_only: true,
            ..field("detail", "string", true)
        }],
        false,
    );
}

const USER_FIELDS: [FieldInfo; 4] = [
    FieldInfo {
        read_only: true,
        ..field("pk", "integer", false)
    },
    FieldInfo {
        read_only: true,
        ..field("email", "email", false)
    },
    FieldInfo {
        max_length: Some(150),
        ..field("first_name", "string", false)
    },
    FieldInfo {
        max_length: Some(150),
        ..field("last_name", "string", false)
    },
];

/// dj-rest-auth's `JWT` response schema (and `UserDetails`).
fn register_jwt_schema(registry: &mut Registry) {
    register_schema(registry, "UserDetails", &USER_FIELDS, false);
    let string = || <String as Type>::schema_ref();
    // dj-rest-auth's `user` is a method field: a plain `$ref`, not read-only.
    schema::register_described_object(
        registry,
        "JWT".into(),
        serializer_docstring("JWT"),
        vec![
            ("access", string()),
            ("refresh", string()),
            ("user", MetaSchemaRef::Reference("UserDetails".into())),
        ],
        vec!["access", "refresh", "user"],
    );
}

// ---------------------------------------------------------------------------------------------
// Views

macro_rules! account_view {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        pub struct $name<U> {
            accounts: Arc<Accounts>,
            user: PhantomData<fn() -> U>,
        }

        impl<U> $name<U> {
            pub(crate) fn new(accounts: &Arc<Accounts>) -> Self {
                $name {
                    accounts: Arc::clone(accounts),
                    user: PhantomData,
                }
            }
        }
    };
}

account_view!(
    /// dj-rest-auth's `RegisterView` with allauth: `{email, password1, password2}` -> 201
    /// `{access, refresh, user}`; the user is created and logged in.
    RegisterView
);

const REGISTER_FIELDS: [FieldInfo; 3] = [
    field("email", "email", true),
    write_only("password1"),
    write_only("password2"),
];

#[async_trait::async_trait]
impl<U: AccountUser> ApiView for RegisterView<U> {
    /// dj-rest-auth's `permission_classes = (AllowAny,)`.
    fn openapi_allows_anonymous(&self, _method: &Method) -> bool {
        true
    }
    fn methods(&self) -> Vec<Method> {
        vec![Method::POST]
    }

    fn name(&self) -> String {
        "Register".into()
    }

    fn description(&self) -> String {
        "Registers a new user.\n\nAccepts the following POST parameters: username, email, password1, password2.".into()
    }

    async fn metadata_actions(&self, _ctx: &RequestContext) -> Option<Value> {
        Some(metadata("POST", &REGISTER_FIELDS))
    }

    async fn handle(&self, ctx: &mut RequestContext) -> ApiResult<Response> {
        let data = request_data(ctx)?;
        let db = ctx.db();
        let validators = &self.accounts.settings.password_validators;
        let mut errors = ValidationErrors::default();
        // Fields in order, each with its `validate_<field>`.
        let mut email = email_field(&data, "email", true, false, &mut errors);
        if let Some(address) = &email
            && !users_by_email::<U>(db, address).await?.is_empty()
        {
            errors.add("email", ALREADY_REGISTERED);
            email = None;
        }
        let password1 = char_field(&data, "password1", None, &mut errors);
        if let Some(password) = &password1
            && let Err(messages) = validate_password(password, None, validators)
        {
            errors.extend("password1", messages);
        }
        let password2 = char_field(&data, "password2", None, &mut errors);
        errors.into_result()?;
        let (email, password1, password2) = (
            validated(email)?,
            validated(password1)?,
            validated(password2)?,
        );
        if password1 != password2 {
            return Err(ApiError::non_field(REGISTER_MISMATCH));
        }
        // allauth stores addresses lower-cased; `save()` re-runs the validators with the
        // user, which adds the similarity check.
        let email = email.to_lowercase();
        let attributes = [UserAttribute {
            name: "email",
            verbose_name: "email address",
            value: &email,
        }];
        if let Err(messages) = validate_password(&password1, Some(&attributes), validators) {
            let mut errors = ValidationErrors::default();
            errors.extend(NON_FIELD_ERRORS, messages);
            return Err(ApiError::Validation(errors));
        }
        let hash = make_password(password1).await;
        let verification = self.accounts.settings.email_verification;
        let mut new_user = U::new_user(&email, hash);
        // Registration logs the user in (unless verification is mandatory): `last_login` is
        // written with the row.
        if verification != EmailVerification::Mandatory
            && let Some(column) = U::column("last_login")
        {
            new_user.set(column, crate::timezone::now().into());
        }
        // The user and its `EmailAddress` row together, or neither.
        let txn = db.begin().await?;
        let user = match new_user.insert(&txn).await {
            Ok(user) => user,
            Err(err) => {
                txn.rollback().await?;
                // Registered by a concurrent request since the check above.
                if !users_by_email::<U>(db, &email).await?.is_empty() {
                    return Err(ApiError::field("email", ALREADY_REGISTERED));
                }
                return Err(err.into());
            }
        };
        let row = add_email_address(&txn, pk_of::<U>(&user), &email).await?;
        txn.commit().await?;
        // allauth's `complete_signup`: the confirmation mail, then the login.
        match verification {
            EmailVerification::None => {}
            EmailVerification::Optional => send_confirmation(ctx, &self.accounts, &row).await?,
            EmailVerification::Mandatory => {
                send_confirmation(ctx, &self.accounts, &row).await?;
                let body = json!({ "detail": VERIFICATION_SENT });
                return Ok(Response::json(StatusCode::CREATED, &body));
            }
        }
        login_response::<U>(ctx, &self.accounts, &user, StatusCode::CREATED, false).await
    }

    fn openapi_operations(&self, path: &str, registry: &mut Registry) -> Vec<MetaOperation> {
        register_jwt_schema(registry);
        let mut ops = post_operation(
            path,
            registry,
            ("Register", &REGISTER_FIELDS),
            "JWT",
            "Registers a new user.\n\nAccepts the following POST parameters: username, email, password1, password2.",
        );
        if let Some(register) = registry.schemas.get_mut("Register") {
            register.description = self.accounts.settings.register_serializer_description;
        }
        created(&mut ops);
        ops
    }
}

account_view!(
    /// dj-rest-auth's `VerifyEmailView`: `{key}` -> `{"detail": "ok"}`, the address of the
    /// key verified; a bad, expired or used key is a 404.
    VerifyEmailView
);

const VERIFY_EMAIL_FIELDS: [FieldInfo; 1] = [write_only("key")];

#[async_trait::async_trait]
impl<U: Send + Sync + 'static> ApiView for VerifyEmailView<U> {
    /// An unknown key is a 404 (allauth's `get_object_or_404`).
    fn openapi_error_statuses(&self, _method: &Method) -> Vec<u16> {
        vec![404]
    }

    /// dj-rest-auth's `permission_classes = (AllowAny,)`.
    fn openapi_allows_anonymous(&self, _method: &Method) -> bool {
        true
    }

    /// dj-rest-auth's view has a `get` that raises `MethodNotAllowed('GET')`, so HEAD (answered
    /// by `get`) is refused with `Method "GET" not allowed.` too.
    fn methods(&self) -> Vec<Method> {
        vec![Method::POST, Method::GET]
    }

    fn allow(&self) -> Option<String> {
        Some("POST, OPTIONS, HEAD".into())
    }

    fn name(&self) -> String {
        "Verify Email".into()
    }

    fn description(&self) -> String {
        "Verifies the email associated with the provided key.\n\nAccepts the following POST parameter: key.".into()
    }

    async fn metadata_actions(&self, _ctx: &RequestContext) -> Option<Value> {
        Some(metadata("POST", &VERIFY_EMAIL_FIELDS))
    }

    async fn handle(&self, ctx: &mut RequestContext) -> ApiResult<Response> {
        if *ctx.method() != Method::POST {
            return Err(ApiError::MethodNotAllowed(Method::GET));
        }
        let data = request_data(ctx)?;
        let mut errors = ValidationErrors::default();
        let key = char_field(&data, "key", None, &mut errors);
        errors.into_result()?;
        let key = validated(key)?;
        let state = ctx.state();
        let days = self.accounts.settings.email_confirmation_expire_days;
        let max_age = std::time::Duration::from_secs(days.saturating_mul(24 * 60 * 60));
        let row =
            match email_address::address_id_from_key(&key, &state.settings.secret_key, max_age) {
                Some(id) => {
                    address::Entity::find_by_id(id)
                        .filter(address::Column::Verified.eq(false))
                        .one(&state.db)
                        .await?
                }
                None => None,
            };
        let Some(row) = row else {
            return Err(ApiError::NotFound("Not found.".into()));
        };
        confirm_address(&state.db, &row).await?;
        Ok(detail("ok"))
    }

    fn openapi_operations(&self, path: &str, registry: &mut Registry) -> Vec<MetaOperation> {
        register_detail_schema(registry);
        post_operation(
            path,
            registry,
            ("VerifyEmail", &VERIFY_EMAIL_FIELDS),
            "RestAuthDetail",
            "Verifies the email associated with the provided key.\n\nAccepts the following POST parameter: key.",
        )
    }
}

account_view!(
    /// dj-rest-auth's `ResendEmailVerificationView`: `{email}` -> `{"detail": "ok"}`
    /// whatever the address; a new confirmation mail goes out when the address is recorded
    /// and not verified yet.
    ResendEmailVerificationView
);

const RESEND_FIELDS: [FieldInfo; 1] = [field("email", "email", true)];

#[async_trait::async_trait]
impl<U: Send + Sync + 'static> ApiView for ResendEmailVerificationView<U> {
    /// dj-rest-auth's `permission_classes = (AllowAny,)`.
    fn openapi_allows_anonymous(&self, _method: &Method) -> bool {
        true
    }
    fn methods(&self) -> Vec<Method> {
        vec![Method::POST]
    }

    fn name(&self) -> String {
        "Resend Email Verification".into()
    }

    fn description(&self) -> String {
        "Resends another email to an unverified email.\n\nAccepts the following POST parameter: email.".into()
    }

    async fn metadata_actions(&self, _ctx: &RequestContext) -> Option<Value> {
        Some(metadata("POST", &RESEND_FIELDS))
    }

    async fn handle(&self, ctx: &mut RequestContext) -> ApiResult<Response> {
        let data = request_data(ctx)?;
        let mut errors = ValidationErrors::default();
        let email = email_field(&data, "email", true, false, &mut errors);
        errors.into_result()?;
        // allauth stores addresses lower-cased.
        let email = validated(email)?.to_lowercase();
        let row = address::Entity::find()
            .filter(address::Column::Email.eq(email))
            .order_by_asc(address::Column::Id)
            .one(ctx.db())
            .await?;
        if let Some(row) = row
            && !row.verified
        {
            send_confirmation(ctx, &self.accounts, &row).await?;
        }
        Ok(detail("ok"))
    }

    fn openapi_operations(&self, path: &str, registry: &mut Registry) -> Vec<MetaOperation> {
        register_detail_schema(registry);
        // drf-spectacular documents this (CreateAPIView-based) view's answer as a 201.
        let mut ops = post_operation(
            path,
            registry,
            ("ResendEmailVerification", &RESEND_FIELDS),
            "RestAuthDetail",
            "Resends another email to an unverified email.\n\nAccepts the following POST parameter: email.",
        );
        created(&mut ops);
        ops
    }
}

account_view!(
    /// dj-rest-auth's `LoginView` with JWT: `{email, password}` -> `{access, refresh, user}`,
    /// the JWT cookies and a session.
    LoginView
);

const LOGIN_FIELDS: [FieldInfo; 3] = [
    field("username", "string", false),
    FieldInfo {
        allow_blank: true,
        ..field("email", "email", false)
    },
    field("password", "string", true),
];

const LOGIN_DESCRIPTION: &str = "Check the credentials and return the REST Token\nif the credentials are valid and authenticated.\nCalls Django Auth login method to register User ID\nin Django session framework\n\nAccept the following POST parameters: username, password\nReturn the REST Framework Token Object's key.";

#[async_trait::async_trait]
impl<U: AccountUser> ApiView for LoginView<U> {
    fn is_login_view(&self) -> bool {
        true
    }

    /// dj-rest-auth's `permission_classes = (AllowAny,)`.
    fn openapi_allows_anonymous(&self, _method: &Method) -> bool {
        true
    }
    fn methods(&self) -> Vec<Method> {
        vec![Method::POST]
    }

    fn name(&self) -> String {
        "Login".into()
    }

    fn description(&self) -> String {
        LOGIN_DESCRIPTION.into()
    }

    async fn metadata_actions(&self, _ctx: &RequestContext) -> Option<Value> {
        Some(metadata("POST", &LOGIN_FIELDS))
    }

    async fn handle(&self, ctx: &mut RequestContext) -> ApiResult<Response> {
        let data = request_data(ctx)?;
        let mut errors = ValidationErrors::default();
        let blank_ok = FieldOptions {
            allow_blank: true,
            ..FieldOptions::DEFAULT
        };
        // `username` is accepted (and ignored: logins are by e-mail only).
        let _username: Option<String> =
            parse_field(&data, "username", &blank_ok, false, &mut errors);
        let email = email_field(&data, "email", false, true, &mut errors);
        let password = char_field(&data, "password", None, &mut errors);
        errors.into_result()?;
        let email = email.unwrap_or_default();
        let password = validated(password)?;
        if email.is_empty() {
            return Err(ApiError::non_field(MUST_INCLUDE));
        }
        let Some(user) = authenticate(ctx.state(), &email, &password).await? else {
            return Err(ApiError::non_field(UNABLE_TO_LOG_IN));
        };
        if self.accounts.settings.email_verification == EmailVerification::Mandatory {
            let Some(model) = load_user::<U>(ctx.db(), user.id).await? else {
                return Err(ApiError::non_field(UNABLE_TO_LOG_IN));
            };
            if !has_verified_email(ctx.db(), user.id, U::email(&model)).await? {
                return Err(ApiError::non_field(EMAIL_NOT_VERIFIED));
            }
        }
        // Django's `user_logged_in` signal: `update_last_login`.
        update_column::<U>(ctx.db(), user.id, "last_login", crate::timezone::now()).await?;
        let Some(model) = load_user::<U>(ctx.db(), user.id).await? else {
            return Err(ApiError::non_field(UNABLE_TO_LOG_IN));
        };
        login_response::<U>(ctx, &self.accounts, &model, StatusCode::OK, true).await
    }

    fn openapi_operations(&self, path: &str, registry: &mut Registry) -> Vec<MetaOperation> {
        register_jwt_schema(registry);
        post_operation(
            path,
            registry,
            ("Login", &LOGIN_FIELDS),
            "JWT",
            LOGIN_DESCRIPTION,
        )
    }
}

account_view!(
    /// dj-rest-auth's `UserDetailsView`: the current user; `PUT` / `PATCH` change the names
    /// (the e-mail is read-only).
    UserDetailsView
);

const USER_DESCRIPTION: &str = "Reads and updates UserModel fields\nAccepts GET, PUT, PATCH methods.\n\nDefault accepted fields: username, first_name, last_name\nDefault display fields: pk, username, email, first_name, last_name\nRead-only fields: pk, email\n\nReturns UserModel fields.";

#[async_trait::async_trait]
impl<U: AccountUser> ApiView for UserDetailsView<U> {
    fn methods(&self) -> Vec<Method> {
        vec![Method::GET, Method::PUT, Method::PATCH]
    }

    fn check_permissions(&self, ctx: &RequestContext) -> ApiResult<()> {
        ctx.require_user().map(|_| ())
    }

    fn name(&self) -> String {
        "User Details".into()
    }

    fn description(&self) -> String {
        USER_DESCRIPTION.into()
    }

    async fn metadata_actions(&self, _ctx: &RequestContext) -> Option<Value> {
        Some(metadata("PUT", &USER_FIELDS))
    }

    async fn handle(&self, ctx: &mut RequestContext) -> ApiResult<Response> {
        let id = ctx.require_user()?.id;
        let db = ctx.db();
        let Some(user) = load_user::<U>(db, id).await? else {
            return Err(ApiError::NotAuthenticated);
        };
        if ctx.method() == Method::GET || ctx.method() == Method::HEAD {
            return Ok(Response::ok(&user_details::<U>(&user)));
        }
        let data = request_data(ctx)?;
        let options = FieldOptions {
            max_length: Some(U::NAME_MAX_LENGTH),
            allow_blank: true,
            ..FieldOptions::DEFAULT
        };
        let mut errors = ValidationErrors::default();
        let first_name: Option<String> =
            parse_field(&data, "first_name", &options, false, &mut errors);
        let last_name: Option<String> =
            parse_field(&data, "last_name", &options, false, &mut errors);
        errors.into_result()?;
        if let Some(first_name) = first_name {
            update_column::<U>(db, id, "first_name", first_name).await?;
        }
        if let Some(last_name) = last_name {
            update_column::<U>(db, id, "last_name", last_name).await?;
        }
        let user = load_user::<U>(db, id).await?.unwrap_or(user);
        let _ = &self.accounts;
        Ok(Response::ok(&user_details::<U>(&user)))
    }

    fn openapi_operations(&self, path: &str, registry: &mut Registry) -> Vec<MetaOperation> {
        register_schema(registry, "UserDetails", &USER_FIELDS, false);
        register_schema(registry, "PatchedUserDetails", &USER_FIELDS, true);
        let ok = || {
            response(
                200,
                "",
                Some(MetaSchemaRef::Reference("UserDetails".into())),
            )
        };
        let get = operation_for(path, Method::GET, "retrieve");
        let mut put = operation_for(path, Method::PUT, "update");
        put.request = Some(request_body("UserDetails"));
        let mut patch = operation_for(path, Method::PATCH, "partial_update");
        let mut patch_body = request_body("PatchedUserDetails");
        patch_body.required = false;
        patch.request = Some(patch_body);
        let mut ops = vec![get, put, patch];
        for op in &mut ops {
            op.description = Some(USER_DESCRIPTION);
            op.responses.responses.push(ok());
        }
        ops
    }
}

account_view!(
    /// dj-rest-auth's `PasswordChangeView` (no old password): `{new_password1,
    /// new_password2}`.
    PasswordChangeView
);

const NEW_PASSWORD_FIELDS: [FieldInfo; 2] =
    [limited("new_password1", 128), limited("new_password2", 128)];

const PASSWORD_CHANGE_DESCRIPTION: &str = "Calls Django Auth SetPasswordForm save method.\n\nAccepts the following POST parameters: new_password1, new_password2\nReturns the success/fail message.";

#[async_trait::async_trait]
impl<U: AccountUser> ApiView for PasswordChangeView<U> {
    fn methods(&self) -> Vec<Method> {
        vec![Method::POST]
    }

    fn check_permissions(&self, ctx: &RequestContext) -> ApiResult<()> {
        ctx.require_user().map(|_| ())
    }

    fn name(&self) -> String {
        "Password Change".into()
    }

    fn description(&self) -> String {
        PASSWORD_CHANGE_DESCRIPTION.into()
    }

    async fn metadata_actions(&self, _ctx: &RequestContext) -> Option<Value> {
        Some(metadata("POST", &NEW_PASSWORD_FIELDS))
    }

    async fn handle(&self, ctx: &mut RequestContext) -> ApiResult<Response> {
        let request_user = ctx.require_user()?.clone();
        let data = request_data(ctx)?;
        let mut errors = ValidationErrors::default();
        let password1 = char_field(&data, "new_password1", Some(128), &mut errors);
        let password2 = char_field(&data, "new_password2", Some(128), &mut errors);
        errors.into_result()?;
        let (password1, password2) = (validated(password1)?, validated(password2)?);
        let state = ctx.state();
        let Some(user) = load_user::<U>(&state.db, request_user.id).await? else {
            return Err(ApiError::NotAuthenticated);
        };
        check_new_password(
            &self.accounts,
            &password1,
            &password2,
            &U::similarity_attributes(&user),
        )?;
        let hash = make_password(password1).await;
        state
            .users
            .set_password_hash(&state.db, request_user.id, &hash)
            .await?;
        let mut response = detail("New password has been saved.");
        // dj-rest-auth: `update_session_auth_hash(request, user)` (no CSRF rotation).
        if let Some(sessions) = &self.accounts.settings.session_login {
            for cookie in sessions
                .update_session_auth_hash(ctx, &request_user)
                .await?
            {
                response = response.append_header("Set-Cookie", &cookie);
            }
        }
        Ok(response)
    }

    fn openapi_operations(&self, path: &str, registry: &mut Registry) -> Vec<MetaOperation> {
        register_detail_schema(registry);
        post_operation(
            path,
            registry,
            ("PasswordChange", &NEW_PASSWORD_FIELDS),
            "RestAuthDetail",
            PASSWORD_CHANGE_DESCRIPTION,
        )
    }
}

account_view!(
    /// dj-rest-auth's `PasswordResetView` with allauth's form: `{email}`; mails a reset link
    /// to each active user with that address; the answer never tells whether one exists.
    PasswordResetView
);

const RESET_FIELDS: [FieldInfo; 1] = [field("email", "email", true)];

const PASSWORD_RESET_DESCRIPTION: &str = "Calls Django Auth PasswordResetForm save method.\n\nAccepts the following POST parameters: email\nReturns the success/fail message.";

impl<U: AccountUser> PasswordResetView<U> {
    /// allauth's `password_reset_key` mail.
    fn reset_message(&self, to: &str, link: &str) -> EmailMessage {
        let settings = &self.accounts.settings;
        let body = format!(
            "Hello from {site}!\n\nYou're receiving this email because you or someone else has requested a password reset for your user account.\nIt can be safely ignored if you did not request a password reset. Click the link below to reset your password.\n\n{link}\n\nThank you for using {site}!\n{domain}\n",
            site = settings.site_name,
            domain = settings.site_domain,
        );
        EmailMessage::new(
            format!("[{}] Password Reset Email", settings.site_name),
            body,
            settings.default_from_email.clone(),
            vec![to.to_owned()],
        )
    }
}

#[async_trait::async_trait]
impl<U: AccountUser> ApiView for PasswordResetView<U> {
    /// dj-rest-auth's `permission_classes = (AllowAny,)`.
    fn openapi_allows_anonymous(&self, _method: &Method) -> bool {
        true
    }
    fn methods(&self) -> Vec<Method> {
        vec![Method::POST]
    }

    fn name(&self) -> String {
        "Password Reset".into()
    }

    fn description(&self) -> String {
        PASSWORD_RESET_DESCRIPTION.into()
    }

    async fn metadata_actions(&self, _ctx: &RequestContext) -> Option<Value> {
        Some(metadata("POST", &RESET_FIELDS))
    }

    async fn handle(&self, ctx: &mut RequestContext) -> ApiResult<Response> {
        let data = request_data(ctx)?;
        let mut errors = ValidationErrors::default();
        let email = email_field(&data, "email", true, false, &mut errors);
        errors.into_result()?;
        let email = validated(email)?;
        let state = ctx.state();
        let generator = reset_token_generator(&self.accounts, &state.settings.secret_key);
        let mut messages = Vec::new();
        for user in users_by_email::<U>(&state.db, &email).await? {
            if !U::request_user(&user).is_active {
                continue;
            }
            let token = generator.make_token(&token_user::<U>(&user));
            let uid = int_to_base36(pk_of::<U>(&user));
            let link = ctx.build_absolute_uri(&self.accounts.reset_link_path(&uid, &token));
            messages.push(self.reset_message(&email, &link));
        }
        if !messages.is_empty() {
            self.accounts
                .settings
                .email_backend
                .send_messages(&messages)
                .await
                .map_err(|err| ApiError::Internal(format!("password reset e-mail: {err}")))?;
        }
        Ok(detail("Password reset e-mail has been sent."))
    }

    fn openapi_operations(&self, path: &str, registry: &mut Registry) -> Vec<MetaOperation> {
        register_detail_schema(registry);
        post_operation(
            path,
            registry,
            ("PasswordReset", &RESET_FIELDS),
            "RestAuthDetail",
            PASSWORD_RESET_DESCRIPTION,
        )
    }
}

fn reset_token_generator(accounts: &Accounts, secret_key: &[u8]) -> PasswordResetTokenGenerator {
    let mut generator = PasswordResetTokenGenerator::new(secret_key);
    generator.timeout = accounts.settings.password_reset_timeout;
    generator
}

fn token_user<U: AccountUser>(user: &U::Model) -> TokenUser<'_> {
    TokenUser {
        pk: pk_of::<U>(user),
        password: U::password_hash(user),
        last_login: U::last_login(user),
        email: U::email(user),
    }
}

/// dj-rest-auth's `PasswordResetConfirmView`: `{new_password1, new_password2, uid, token}`.
/// Also serves the link of the e-mail (`.../confirm/<uid>/<token>/`, where the body still
/// carries them), which is left out of the schema.
pub struct PasswordResetConfirmView<U> {
    accounts: Arc<Accounts>,
    in_schema: bool,
    user: PhantomData<fn() -> U>,
}

impl<U> PasswordResetConfirmView<U> {
    pub(crate) fn new(accounts: &Arc<Accounts>, in_schema: bool) -> Self {
        PasswordResetConfirmView {
            accounts: Arc::clone(accounts),
            in_schema,
            user: PhantomData,
        }
    }
}

const RESET_CONFIRM_FIELDS: [FieldInfo; 4] = [
    limited("new_password1", 128),
    limited("new_password2", 128),
    field("uid", "string", true),
    field("token", "string", true),
];

const RESET_CONFIRM_DESCRIPTION: &str = "Password reset e-mail link is confirmed, therefore\nthis resets the user's password.\n\nAccepts the following POST parameters: token, uid,\n    new_password1, new_password2\nReturns the success/fail message.";

/// The docstring of the e-mail link's view (`PasswordResetConfirmLinkView`, a subclass).
const RESET_CONFIRM_LINK_DESCRIPTION: &str = "Target of the link in password-reset e-mails.\n\ndj-rest-auth builds that link by reversing the URL name\n\"password_reset_confirm\" with (uid, token); a real frontend owns the page\nand POSTs uid/token/new passwords to .../password/reset/confirm/.\nKept out of the OpenAPI document.";

#[async_trait::async_trait]
impl<U: AccountUser> ApiView for PasswordResetConfirmView<U> {
    /// dj-rest-auth's `permission_classes = (AllowAny,)`.
    fn openapi_allows_anonymous(&self, _method: &Method) -> bool {
        true
    }
    fn methods(&self) -> Vec<Method> {
        vec![Method::POST]
    }

    fn name(&self) -> String {
        if self.in_schema {
            "Password Reset Confirm".into()
        } else {
            "Password Reset Confirm Link".into()
        }
    }

    fn description(&self) -> String {
        if self.in_schema {
            RESET_CONFIRM_DESCRIPTION.into()
        } else {
            RESET_CONFIRM_LINK_DESCRIPTION.into()
        }
    }

    async fn metadata_actions(&self, _ctx: &RequestContext) -> Option<Value> {
        Some(metadata("POST", &RESET_CONFIRM_FIELDS))
    }

    async fn handle(&self, ctx: &mut RequestContext) -> ApiResult<Response> {
        let data = request_data(ctx)?;
        let mut errors = ValidationErrors::default();
        let password1 = char_field(&data, "new_password1", Some(128), &mut errors);
        let password2 = char_field(&data, "new_password2", Some(128), &mut errors);
        let uid = char_field(&data, "uid", None, &mut errors);
        let token = char_field(&data, "token", None, &mut errors);
        errors.into_result()?;
        let (password1, password2) = (validated(password1)?, validated(password2)?);
        let (uid, token) = (validated(uid)?, validated(token)?);
        let state = ctx.state();
        let user = match base36_to_int(&uid) {
            Some(id) => load_user::<U>(&state.db, id).await?,
            None => None,
        };
        let Some(user) = user else {
            return Err(ApiError::field("uid", INVALID_VALUE));
        };
        let generator = reset_token_generator(&self.accounts, &state.settings.secret_key);
        if !generator.check_token(&token_user::<U>(&user), &token) {
            return Err(ApiError::field("token", INVALID_VALUE));
        }
        check_new_password(
            &self.accounts,
            &password1,
            &password2,
            &U::similarity_attributes(&user),
        )?;
        let hash = make_password(password1).await;
        // The new hash changes the token's hash value: the token cannot be used again.
        state
            .users
            .set_password_hash(&state.db, pk_of::<U>(&user), &hash)
            .await?;
        Ok(detail("Password has been reset with the new password."))
    }

    fn openapi_operations(&self, path: &str, registry: &mut Registry) -> Vec<MetaOperation> {
        if !self.in_schema {
            return Vec::new();
        }
        register_detail_schema(registry);
        post_operation(
            path,
            registry,
            ("PasswordResetConfirm", &RESET_CONFIRM_FIELDS),
            "RestAuthDetail",
            RESET_CONFIRM_DESCRIPTION,
        )
    }
}
