//! The account views (dj-rest-auth's `views.py` and `registration/views.py`). Their request
//! bodies are read by the derived serializers of `super::serializers`, which also describe
//! them to OPTIONS and the OpenAPI document; the checks that need the database or the
//! settings run here, in dj-rest-auth's order.

use super::email_address::{self, entity as address};
use super::serializers::{
    LoginSerializer, PasswordChangeSerializer, PasswordResetConfirmSerializer,
    PasswordResetSerializer, RegisterSerializer, ResendEmailVerificationSerializer,
    RestAuthDetailSerializer, UserDetailsSerializer, VerifyEmailSerializer,
};
use super::{AccountUser, Accounts, EmailVerification};
use crate::contrib::auth::RequestUser;
use crate::contrib::auth::authenticate;
use crate::contrib::auth::hashers::make_password;
use crate::contrib::auth::password_validation::{UserAttribute, validate_password};
use crate::contrib::auth::tokens::{
    PasswordResetTokenGenerator, TokenUser, base36_to_int, int_to_base36,
};
use crate::contrib::mail::EmailMessage;
use crate::description::Described;
use crate::exceptions::{ApiError, ApiResult, NON_FIELD_ERRORS, ValidationErrors};
use crate::fields::{FieldOptions, parse_field};
use crate::models::{filter_pk, pk_column, pk_of};
use crate::openapi::{operation, request_body, response, schema};
use crate::request::RequestContext;
use crate::response::Response;
use crate::serializers::Serializer;
use crate::views::ApiView;
use poem::http::{Method, StatusCode};
use poem_openapi::registry::{MetaOperation, MetaSchema, MetaSchemaRef, Registry};
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
// Request bodies

/// The request's data as DRF's serializers read it: a key an HTML form repeats gives its last
/// value (`QueryDict.get`).
fn request_data(ctx: &RequestContext) -> ApiResult<Data> {
    let data = ctx.data()?;
    let html_input = crate::parsers::is_html_input(ctx.header("content-type"));
    Ok(crate::parsers::html_form_data(&data, &[], true, html_input).into_owned())
}

/// The request body validated by `S` (DRF's `is_valid(raise_exception=True)`).
fn read_body<S: Serializer>(ctx: &RequestContext) -> ApiResult<S> {
    S::from_data(&request_data(ctx)?, false).map_err(ApiError::Validation)
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
fn user_details<U: AccountUser>(user: &U::Model) -> UserDetailsSerializer {
    UserDetailsSerializer {
        pk: pk_of::<U>(user),
        email: U::email(user).to_owned(),
        first_name: U::first_name(user).to_owned(),
        last_name: U::last_name(user).to_owned(),
    }
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
    Response::ok(&RestAuthDetailSerializer {
        detail: text.to_owned(),
    })
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

/// `SimpleMetadata`'s `actions` for one method: `S`'s fields.
fn metadata<S: Serializer>(method: &str) -> Value {
    json!({ method: crate::metadata::Fields(&S::metadata()) })
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

/// A POST operation taking `S` and answering `response_schema`.
fn post_operation<S: Serializer>(
    path: &str,
    registry: &mut Registry,
    response_schema: &str,
    description: &'static str,
) -> Vec<MetaOperation> {
    S::register_schemas(registry);
    let mut op = operation_for(path, Method::POST, "create");
    op.description = Some(description);
    op.request = Some(request_body(S::NAME));
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
    RestAuthDetailSerializer::register_schemas(registry);
}

/// dj-rest-auth's `JWT` response schema (and `UserDetails`).
fn register_jwt_schema(registry: &mut Registry) {
    UserDetailsSerializer::register_schemas(registry);
    let string = || <String as Type>::schema_ref();
    // dj-rest-auth's `user` is a method field: a plain `$ref`, not read-only. A response
    // body only: written out here.
    schema::register_described_object(
        registry,
        "JWT".into(),
        Some("Serializer for JWT authentication."),
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
        Some(metadata::<RegisterSerializer>("POST"))
    }

    async fn handle(&self, ctx: &mut RequestContext) -> ApiResult<Response> {
        let db = ctx.db();
        let validators = &self.accounts.settings.password_validators;
        let (body, mut errors) = RegisterSerializer::read_fields(&request_data(ctx)?, false);
        // The fields' `validate_<field>`, on the fields that are valid.
        if errors.messages("email").is_none()
            && !users_by_email::<U>(db, &body.email).await?.is_empty()
        {
            errors.add("email", ALREADY_REGISTERED);
        }
        if errors.messages("password1").is_none()
            && let Err(messages) = validate_password(&body.password1, None, validators)
        {
            errors.extend("password1", messages);
        }
        errors.sort_by_fields(RegisterSerializer::FIELDS);
        errors.into_result()?;
        // `validate()`.
        let RegisterSerializer {
            email,
            password1,
            password2,
        } = body;
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
                let body = RestAuthDetailSerializer {
                    detail: VERIFICATION_SENT.to_owned(),
                };
                return Ok(Response::json(StatusCode::CREATED, &body));
            }
        }
        login_response::<U>(ctx, &self.accounts, &user, StatusCode::CREATED, false).await
    }

    fn openapi_operations(&self, path: &str, registry: &mut Registry) -> Vec<MetaOperation> {
        register_jwt_schema(registry);
        let mut ops = post_operation::<RegisterSerializer>(
            path,
            registry,
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
        Some(metadata::<VerifyEmailSerializer>("POST"))
    }

    async fn handle(&self, ctx: &mut RequestContext) -> ApiResult<Response> {
        if *ctx.method() != Method::POST {
            return Err(ApiError::MethodNotAllowed(Method::GET));
        }
        let VerifyEmailSerializer { key } = read_body(ctx)?;
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
        post_operation::<VerifyEmailSerializer>(
            path,
            registry,
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
        Some(metadata::<ResendEmailVerificationSerializer>("POST"))
    }

    async fn handle(&self, ctx: &mut RequestContext) -> ApiResult<Response> {
        let ResendEmailVerificationSerializer { email } = read_body(ctx)?;
        // allauth stores addresses lower-cased.
        let email = email.to_lowercase();
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
        let mut ops = post_operation::<ResendEmailVerificationSerializer>(
            path,
            registry,
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
        Some(metadata::<LoginSerializer>("POST"))
    }

    async fn handle(&self, ctx: &mut RequestContext) -> ApiResult<Response> {
        // `username` is accepted (and ignored: logins are by e-mail only).
        let LoginSerializer {
            username: _,
            email,
            password,
        } = read_body(ctx)?;
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
        post_operation::<LoginSerializer>(path, registry, "JWT", LOGIN_DESCRIPTION)
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
        Some(metadata::<UserDetailsSerializer>("PUT"))
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
        // The writable names, read with their description's options but the user type's
        // limit (`NAME_MAX_LENGTH`, which a derive attribute cannot name); only the names
        // given are written.
        let mut errors = ValidationErrors::default();
        let mut given = Vec::new();
        for field in <UserDetailsSerializer as Described>::DESCRIPTION {
            if field.read_only {
                continue;
            }
            let options = FieldOptions {
                max_length: Some(U::NAME_MAX_LENGTH),
                ..field.options
            };
            let value: Option<String> =
                parse_field(&data, field.key, &options, field.required, &mut errors);
            given.extend(value.map(|value| (field.key, value)));
        }
        errors.into_result()?;
        for (name, value) in given {
            update_column::<U>(db, id, name, value).await?;
        }
        let user = load_user::<U>(db, id).await?.unwrap_or(user);
        let _ = &self.accounts;
        Ok(Response::ok(&user_details::<U>(&user)))
    }

    fn openapi_operations(&self, path: &str, registry: &mut Registry) -> Vec<MetaOperation> {
        // `UserDetails`, and the partial update's `PatchedUserDetails` (drf-spectacular's: the
        // same properties, none required).
        UserDetailsSerializer::register_schemas(registry);
        if let Some(full) = registry.schemas.get(UserDetailsSerializer::NAME).cloned() {
            registry
                .schemas
                .entry(format!("Patched{}", UserDetailsSerializer::NAME))
                .or_insert(MetaSchema {
                    required: Vec::new(),
                    ..full
                });
        }
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
        Some(metadata::<PasswordChangeSerializer>("POST"))
    }

    async fn handle(&self, ctx: &mut RequestContext) -> ApiResult<Response> {
        let request_user = ctx.require_user()?.clone();
        let PasswordChangeSerializer {
            new_password1: password1,
            new_password2: password2,
        } = read_body(ctx)?;
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
        post_operation::<PasswordChangeSerializer>(
            path,
            registry,
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
        Some(metadata::<PasswordResetSerializer>("POST"))
    }

    async fn handle(&self, ctx: &mut RequestContext) -> ApiResult<Response> {
        let PasswordResetSerializer { email } = read_body(ctx)?;
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
        post_operation::<PasswordResetSerializer>(
            path,
            registry,
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
        Some(metadata::<PasswordResetConfirmSerializer>("POST"))
    }

    async fn handle(&self, ctx: &mut RequestContext) -> ApiResult<Response> {
        let PasswordResetConfirmSerializer {
            new_password1: password1,
            new_password2: password2,
            uid,
            token,
        } = read_body(ctx)?;
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
        post_operation::<PasswordResetConfirmSerializer>(
            path,
            registry,
            "RestAuthDetail",
            RESET_CONFIRM_DESCRIPTION,
        )
    }
}
