//! The OpenAPI 3 document (drf-spectacular's role), generated through poem-openapi from the
//! same types that serve the requests: each view describes its operations with poem-openapi's
//! registry types, serializers register their `Article` / `PatchedArticle` schemas, and
//! poem-openapi writes the document and Swagger UI, which `spectacular` reshapes into
//! drf-spectacular's document.

use crate::description::FieldDescription;
use crate::exceptions::ApiResult;
use crate::models::ModelMeta;
use crate::pagination::Pagination;
use crate::request::RequestContext;
use crate::response::Response;
use crate::serializers::ModelSerializer;
use crate::settings::Settings;
use crate::urls::UrlPattern;
use crate::views::ApiView;
use crate::viewsets::GenericViewSet;
use poem::http::{Method, StatusCode};
use poem_openapi::registry::{
    MetaApi, MetaMediaType, MetaOperation, MetaOperationParam, MetaParamIn, MetaPath, MetaRequest,
    MetaResponse, MetaResponses, MetaSchema, MetaSchemaRef, Registry,
};
use poem_openapi::types::Type;
use poem_openapi::{OpenApi, OpenApiService};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

mod spectacular;

/// A security scheme of the document (an authentication class's, drf-spectacular's
/// `OpenApiAuthenticationExtension`): its name in `components.securitySchemes` and its
/// definition, keys in drf-spectacular's order.
#[derive(Debug, Clone, PartialEq)]
pub struct SecurityScheme {
    /// The name operations refer to (`jwtAuth`).
    pub name: String,
    /// The Security Scheme Object.
    pub definition: serde_json::Value,
}

impl SecurityScheme {
    /// drf-spectacular's `build_bearer_security_scheme_object`: an HTTP bearer scheme for
    /// `Authorization: Bearer`, otherwise an API key in the header with the prefix described.
    pub fn bearer(
        name: &str,
        header_name: &str,
        token_prefix: &str,
        bearer_format: Option<&str>,
    ) -> Self {
        let definition = if token_prefix == "Bearer" && header_name == "Authorization" {
            let mut definition = serde_json::json!({"type": "http", "scheme": "bearer"});
            if let Some(format) = bearer_format {
                definition["bearerFormat"] = format.into();
            }
            definition
        } else {
            serde_json::json!({
                "type": "apiKey",
                "in": "header",
                "name": header_name,
                "description": format!(
                    "Token-based authentication with required prefix \"{token_prefix}\""
                ),
            })
        };
        SecurityScheme {
            name: name.into(),
            definition,
        }
    }

    /// An API key (`location`: `header`, `query` or `cookie`).
    pub fn api_key(name: &str, location: &str, key_name: &str) -> Self {
        SecurityScheme {
            name: name.into(),
            definition: serde_json::json!({"type": "apiKey", "in": location, "name": key_name}),
        }
    }

    /// HTTP Basic authentication.
    pub fn basic(name: &str) -> Self {
        SecurityScheme {
            name: name.into(),
            definition: serde_json::json!({"type": "http", "scheme": "basic"}),
        }
    }
}

/// Leaks a string built once per document (poem-openapi's registry wants `&'static str`).
fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

/// A JSON body or response of a schema.
pub fn json_content(schema: MetaSchemaRef) -> Vec<MetaMediaType> {
    vec![MetaMediaType {
        content_type: "application/json",
        schema,
    }]
}

/// A request body in the media types DRF parses.
pub fn request_body(schema_name: &str) -> MetaRequest {
    let schema = MetaSchemaRef::Reference(schema_name.to_string());
    MetaRequest {
        description: None,
        content: [
            "application/json",
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ]
        .into_iter()
        .map(|content_type| MetaMediaType {
            content_type,
            schema: schema.clone(),
        })
        .collect(),
        required: true,
    }
}

/// A response with a status and an optional JSON schema.
pub fn response(
    status: u16,
    description: &'static str,
    schema: Option<MetaSchemaRef>,
) -> MetaResponse {
    MetaResponse {
        description,
        status: Some(status),
        status_range: None,
        content: schema.map(json_content).unwrap_or_default(),
        headers: Vec::new(),
    }
}

/// An operation with DRF-style defaults.
pub fn operation(method: Method, tag: &'static str, operation_id: String) -> MetaOperation {
    MetaOperation {
        method,
        tags: vec![tag],
        summary: None,
        description: None,
        external_docs: None,
        params: Vec::new(),
        request: None,
        responses: MetaResponses {
            responses: Vec::new(),
        },
        deprecated: false,
        security: Vec::new(),
        operation_id: Some(leak(operation_id)),
        code_samples: Vec::new(),
    }
}

/// The path parameter of a viewset's detail routes: named after its `lookup_url_kwarg`, an
/// integer or a string as its `lookup_field` column.
#[doc(hidden)] // Called by generated code, through `crate::__private`.
pub fn lookup_param<V: GenericViewSet>() -> MetaOperationParam {
    use sea_orm::Iden;
    let column = crate::models::column_named::<V::Entity>(V::LOOKUP_FIELD);
    let integer = column.is_some_and(crate::models::is_integer_column);
    let primary_key = crate::models::pk_column::<V::Entity>().to_string();
    let is_pk = column.is_some_and(|column| column.to_string() == primary_key);
    MetaOperationParam {
        name: crate::viewsets::lookup_url_kwarg::<V>().into(),
        schema: if integer {
            <i64 as Type>::schema_ref()
        } else {
            <String as Type>::schema_ref()
        },
        in_type: MetaParamIn::Path,
        description: is_pk.then(|| pk_description::<V::Entity>(integer)),
        required: true,
        deprecated: false,
        explode: true,
        style: None,
    }
}

/// DRF's `get_pk_description`: `A unique integer value identifying this article.`
fn pk_description<E: ModelMeta>(integer: bool) -> String {
    let value_type = if integer {
        "unique integer value"
    } else {
        "unique value"
    };
    let name = crate::models::verbose_name::<E>();
    format!("A {value_type} identifying this {name}.")
}

/// `articles` from `/api/articles/...`: drf-spectacular's tag and operation id prefix.
fn resource_name(path: &str) -> &'static str {
    let parts: Vec<&str> = path
        .split('/')
        .filter(|p| !str::is_empty(p) && !p.starts_with('{'))
        .collect();
    leak(parts.last().copied().unwrap_or("api").to_string())
}

/// Registers `Paginated<Name>List` (the paginator's response object) and returns its `$ref`.
fn paginated_schema<S: ModelSerializer>(
    pagination: &dyn Pagination,
    registry: &mut Registry,
) -> MetaSchemaRef {
    let name = format!("Paginated{}List", S::NAME);
    registry
        .schemas
        .entry(name.clone())
        .or_insert_with(|| pagination.response_schema(S::schema_ref()));
    MetaSchemaRef::Reference(name)
}

thread_local! {
    // The settings' default paginator while `build_document` runs (views describe their
    // operations without a request).
    static DEFAULT_PAGINATION: RefCell<Option<Arc<dyn Pagination>>> = const { RefCell::new(None) };
}

/// The settings' default paginator of the document being built.
pub fn schema_default_pagination() -> Option<Arc<dyn Pagination>> {
    DEFAULT_PAGINATION.with(|current| current.borrow().clone())
}

/// The list route's operations: `GET` (paginated list) and `POST` (create).
pub fn list_operations<V: GenericViewSet>(
    path: &str,
    filter_parameters: Vec<MetaOperationParam>,
    pagination: Option<&dyn Pagination>,
    registry: &mut Registry,
) -> Vec<MetaOperation> {
    V::Serializer::register_schemas(registry);
    V::ListSerializer::register_schemas(registry);
    let tag = resource_name(path);
    let mut list = operation(Method::GET, tag, format!("{tag}_list"));
    list.params = pagination
        .map(|pagination| pagination.schema_parameters())
        .unwrap_or_default();
    list.params.extend(filter_parameters);
    // drf-spectacular lists the query parameters by name.
    list.params.sort_by(|a, b| a.name.cmp(&b.name));
    let body = match pagination {
        Some(pagination) => paginated_schema::<V::ListSerializer>(pagination, registry),
        None => MetaSchemaRef::Inline(Box::new(MetaSchema {
            items: Some(Box::new(V::ListSerializer::schema_ref())),
            ..MetaSchema::new("array")
        })),
    };
    list.responses.responses.push(response(200, "", Some(body)));
    let mut create = operation(Method::POST, tag, format!("{tag}_create"));
    create.request = Some(request_body(V::Serializer::NAME));
    create
        .responses
        .responses
        .push(response(201, "", Some(V::Serializer::schema_ref())));
    let mut operations = Vec::new();
    if V::ACTIONS.list {
        operations.push(list);
    }
    if V::ACTIONS.create {
        operations.push(create);
    }
    operations
}

/// The detail route's operations: retrieve, update, partial update, destroy.
pub fn detail_operations<V: GenericViewSet>(
    path: &str,
    registry: &mut Registry,
) -> Vec<MetaOperation> {
    V::Serializer::register_schemas(registry);
    let tag = resource_name(path);
    let name = V::Serializer::NAME;
    let described = |mut op: MetaOperation| {
        op.params = vec![lookup_param::<V>()];
        op
    };
    let mut retrieve = described(operation(Method::GET, tag, format!("{tag}_retrieve")));
    retrieve
        .responses
        .responses
        .push(response(200, "", Some(V::Serializer::schema_ref())));
    let mut update = described(operation(Method::PUT, tag, format!("{tag}_update")));
    update.request = Some(request_body(name));
    update
        .responses
        .responses
        .push(response(200, "", Some(V::Serializer::schema_ref())));
    let mut partial = described(operation(
        Method::PATCH,
        tag,
        format!("{tag}_partial_update"),
    ));
    let mut patched = request_body(&format!("Patched{name}"));
    patched.required = false;
    partial.request = Some(patched);
    partial
        .responses
        .responses
        .push(response(200, "", Some(V::Serializer::schema_ref())));
    let mut destroy = described(operation(Method::DELETE, tag, format!("{tag}_destroy")));
    destroy
        .responses
        .responses
        .push(response(204, "No response body", None));
    let actions = V::ACTIONS;
    [
        (actions.retrieve, retrieve),
        (actions.update, update),
        (actions.update, partial),
        (actions.destroy, destroy),
    ]
    .into_iter()
    .filter_map(|(enabled, op)| enabled.then_some(op))
    .collect()
}

/// The operations of an extra action (`#[action]`) at `path`, with the action's serializer:
/// operation ids as drf-spectacular's (`articles_comments_retrieve`, `articles_comments_create`).
/// `lookup` makes the detail route's path parameter ([`lookup_param`]), `None` for a list
/// action.
#[doc(hidden)] // Called by generated code, through `crate::__private`.
pub fn action_operations<S: ModelSerializer>(
    path: &str,
    action: &str,
    lookup: Option<fn() -> MetaOperationParam>,
    methods: &[Method],
    registry: &mut Registry,
) -> Vec<MetaOperation> {
    S::register_schemas(registry);
    let tag = resource_name(path.trim_end_matches('/').trim_end_matches(action));
    let request = S::NAME.to_string();
    let detail = lookup.is_some();
    methods
        .iter()
        .map(|method| {
            let (suffix, status, body) = match *method {
                Method::GET if detail => ("retrieve", 200, None),
                Method::GET => ("list", 200, None),
                // drf-spectacular answers 201 only for the `create` action.
                Method::POST => ("create", 200, Some(request_body(&request))),
                Method::PUT => ("update", 200, Some(request_body(&request))),
                Method::PATCH => (
                    "partial_update",
                    200,
                    Some(request_body(&format!("Patched{request}"))),
                ),
                _ => ("destroy", 204, None),
            };
            let mut op = operation(method.clone(), tag, format!("{tag}_{action}_{suffix}"));
            op.params.extend(lookup.map(|param| param()));
            op.request = body;
            let schema = (status != 204).then(S::schema_ref);
            op.responses.responses.push(response(status, "", schema));
            op
        })
        .collect()
}

/// An operation's security requirements: each scheme of the view's authentication classes,
/// then `{}` (no credentials) when `allows_anonymous` (drf-spectacular's `get_auth`).
fn operation_security(
    schemes: &[SecurityScheme],
    allows_anonymous: impl FnOnce() -> bool,
) -> Vec<HashMap<&'static str, Vec<&'static str>>> {
    let mut security: Vec<HashMap<&'static str, Vec<&'static str>>> = schemes
        .iter()
        .map(|scheme| HashMap::from([(leak(scheme.name.clone()), Vec::new())]))
        .collect();
    if allows_anonymous() {
        security.push(HashMap::new());
    }
    security
}

/// Produces the document's paths, registering schemes on the way.
type DocumentSource = Box<dyn Fn(&mut Registry) -> Vec<MetaApi>>;

thread_local! {
    // poem-openapi's `OpenApi::meta()` and `register()` take no `self`, but our routes are
    // runtime values; `build_document` lends them to `Patterns` for the duration of one
    // synchronous `spec()` call on this thread.
    static CURRENT: RefCell<Option<DocumentSource>> = RefCell::new(None);
}

struct Patterns;

impl OpenApi for Patterns {
    fn meta() -> Vec<MetaApi> {
        CURRENT.with(|current| {
            current
                .borrow()
                .as_ref()
                .map(|source| source(&mut Registry::new()))
                .unwrap_or_default()
        })
    }

    fn register(registry: &mut Registry) {
        CURRENT.with(|current| {
            if let Some(source) = current.borrow().as_ref() {
                source(registry);
            }
        });
    }

    fn add_routes(
        self,
        _routes: &mut HashMap<String, HashMap<Method, poem::endpoint::BoxEndpoint<'static>>>,
    ) {
    }
}

/// The document: JSON text and the Swagger UI page embedding it.
pub struct Document {
    /// The OpenAPI document as JSON.
    pub json: String,
    /// The OpenAPI document as YAML.
    pub yaml: String,
    /// The Swagger UI HTML page.
    pub swagger_html: String,
}

/// What a view may answer besides its successes, for [`document_every_status`].
#[derive(Debug, Clone)]
struct Answers {
    /// It has authentication classes: bad credentials are a 401, permissions and CSRF 403s.
    authenticates: bool,
    /// It checks credentials itself (simplejwt's views, logins): 401s.
    challenges: bool,
    /// Throttles apply: 429s.
    throttled: bool,
    /// What the view declares ([`ApiView::openapi_error_statuses`]).
    declared: Vec<u16>,
}

/// [`Settings::schema_document_errors`]: adds to `op` every status the framework can answer
/// for it, as a drf-spectacular project lists them with `@extend_schema(responses={...})`
/// (a description, no body schema: error bodies vary, `{"detail": ...}` or field errors):
/// 400 (invalid data, limits, disallowed host), 401 and 403 when it authenticates, 404 on
/// detail routes and paginated lists (an invalid page), 406 (content negotiation), 415
/// when it takes a body, 429 when throttled; and a POST's other success status (DRF's
/// `create` answers 201, actions and plain views either 200 or 201), with the same body.
fn document_every_status(op: &mut MetaOperation, path: &str, answers: Answers) {
    let responses = &mut op.responses.responses;
    if op.method == Method::POST {
        for (have, add) in [(200, 201), (201, 200)] {
            if responses.iter().any(|r| r.status == Some(add)) {
                continue;
            }
            if let Some(found) = responses.iter().find(|r| r.status == Some(have)) {
                let other = MetaResponse {
                    description: found.description,
                    status: Some(add),
                    status_range: None,
                    content: found
                        .content
                        .iter()
                        .map(|media| MetaMediaType {
                            content_type: media.content_type,
                            schema: media.schema.clone(),
                        })
                        .collect(),
                    headers: Vec::new(),
                };
                responses.push(other);
            }
        }
    }
    let paginated = op
        .params
        .iter()
        .any(|param| matches!(param.name.as_str(), "page" | "cursor" | "offset"));
    let errors = [
        (400, "Bad Request", true),
        (
            401,
            "Unauthorized",
            answers.authenticates || answers.challenges,
        ),
        (403, "Forbidden", answers.authenticates),
        (404, "Not Found", path.contains('{') || paginated),
        (406, "Not Acceptable", true),
        (415, "Unsupported Media Type", op.request.is_some()),
        (429, "Too Many Requests", answers.throttled),
    ];
    let declared = answers.declared.iter().map(|&status| {
        let description = errors
            .iter()
            .find(|(known, _, _)| *known == status)
            .map_or("Error", |(_, description, _)| description);
        (status, description, true)
    });
    for (status, description, answered) in errors.into_iter().chain(declared) {
        if answered && !responses.iter().any(|r| r.status == Some(status)) {
            responses.push(response(status, description, None));
        }
    }
    responses.sort_by_key(|r| r.status);
}

/// Builds the document of a set of URL patterns.
pub fn build_document(patterns: &[UrlPattern], settings: &Settings) -> Document {
    let routes: Vec<(String, std::sync::Arc<dyn ApiView>)> = patterns
        .iter()
        .map(|p| (p.route().to_string(), p.view().clone()))
        .collect();
    let default_classes = settings.default_authentication_classes.clone();
    let schemes: Rc<RefCell<Vec<SecurityScheme>>> = Rc::default();
    let known_schemes = schemes.clone();
    let source_settings = settings.clone();
    let source = move |registry: &mut Registry| {
        let paths = routes
            .iter()
            .filter_map(|(route, view)| {
                let mut operations = view.openapi_operations(route, registry);
                if operations.is_empty() {
                    return None;
                }
                let classes = view
                    .authentication_classes()
                    .unwrap_or_else(|| default_classes.clone());
                let view_schemes: Vec<SecurityScheme> = classes
                    .iter()
                    .flat_map(|class| class.openapi_security_schemes(&source_settings))
                    .collect();
                let throttled = view.throttle_classes().map_or(
                    !source_settings.default_throttle_classes.is_empty(),
                    |classes| !classes.is_empty(),
                );
                for op in &mut operations {
                    op.security = operation_security(&view_schemes, || {
                        view.openapi_allows_anonymous(&op.method)
                    });
                    if source_settings.schema_document_errors {
                        let answers = Answers {
                            authenticates: !classes.is_empty(),
                            challenges: view.www_authenticate().is_some() || view.is_login_view(),
                            throttled,
                            declared: view.openapi_error_statuses(&op.method),
                        };
                        document_every_status(op, route, answers);
                    }
                }
                let mut known = known_schemes.borrow_mut();
                for scheme in view_schemes {
                    if !known.iter().any(|k| k.name == scheme.name) {
                        known.push(scheme);
                    }
                }
                Some(MetaPath {
                    path: route.clone(),
                    operations,
                })
            })
            .collect();
        vec![MetaApi { paths }]
    };
    CURRENT.with(|current| *current.borrow_mut() = Some(Box::new(source)));
    DEFAULT_PAGINATION.with(|current| *current.borrow_mut() = settings.default_pagination.clone());
    let service = OpenApiService::new(
        Patterns,
        settings.schema_title.clone(),
        settings.schema_version.clone(),
    );
    let spec: serde_json::Value = serde_json::from_str(&service.spec()).unwrap_or_default();
    let spec = spectacular::reshape(
        spec,
        settings.schema_description.as_deref(),
        &schemes.borrow(),
    );
    let json = serde_json::to_string_pretty(&spec).unwrap_or_default();
    let document = Document {
        yaml: serde_yaml::to_string(&spec).unwrap_or_default(),
        swagger_html: service.swagger_ui_html().replace(&service.spec(), &json),
        json,
    };
    CURRENT.with(|current| *current.borrow_mut() = None);
    DEFAULT_PAGINATION.with(|current| *current.borrow_mut() = None);
    document
}

/// drf-spectacular's `SpectacularAPIView`: YAML by default, JSON with `?format=json`. As
/// drf-spectacular's views (`SERVE_AUTHENTICATION` unset), the schema views authenticate with
/// the settings' classes, so a session cookie is read (`Vary: Cookie`).
pub struct SchemaView {
    json: String,
    yaml: String,
    title: String,
}

impl SchemaView {
    /// Serves a built document.
    pub fn new(document: &Document, title: &str) -> Self {
        SchemaView {
            json: document.json.clone(),
            yaml: document.yaml.clone(),
            title: title.to_string(),
        }
    }
}

#[async_trait::async_trait]
impl ApiView for SchemaView {
    fn methods(&self) -> Vec<Method> {
        vec![Method::GET]
    }
    /// drf-spectacular's renderers: YAML (`application/vnd.oai.openapi`, `application/yaml`)
    /// and JSON (`application/vnd.oai.openapi+json`, `application/json`).
    fn renderer_classes(&self) -> Option<Vec<Arc<dyn crate::renderers::Renderer>>> {
        use crate::renderers::PassthroughRenderer;
        let renderer = |media_type, format| {
            Arc::new(PassthroughRenderer { media_type, format })
                as Arc<dyn crate::renderers::Renderer>
        };
        Some(vec![
            renderer("application/vnd.oai.openapi", "yaml"),
            renderer("application/yaml", "yaml"),
            renderer("application/vnd.oai.openapi+json", "json"),
            renderer("application/json", "json"),
        ])
    }
    async fn handle(&self, ctx: &mut RequestContext) -> ApiResult<Response> {
        let (format, accepted) = ctx
            .accepted_renderer()
            .unwrap_or(("yaml", "application/vnd.oai.openapi"));
        let media = crate::negotiation::MediaType::parse(accepted).essence();
        let (body, content_type) = if format == "json" {
            // OpenApiJsonRenderer: indented by 4 unless the client asks otherwise.
            let indent = crate::negotiation::indent_of(accepted).unwrap_or(4);
            let body = crate::renderers::pretty_json(self.json.as_bytes(), indent)
                .unwrap_or_else(|| self.json.clone().into_bytes());
            (body, media)
        } else {
            (
                self.yaml.clone().into_bytes(),
                format!("{media}; charset=utf-8"),
            )
        };
        Ok(Response::json_bytes(StatusCode::OK, body)
            .with_header("Content-Type", &content_type)
            .with_header(
                "Content-Disposition",
                &format!("inline; filename=\"{}.{format}\"", self.title),
            ))
    }
}

/// drf-spectacular's `SpectacularSwaggerView` (Swagger UI, embedded in the binary).
pub struct SwaggerUiView {
    html: String,
}

impl SwaggerUiView {
    /// Serves Swagger UI for a built document.
    pub fn new(document: &Document) -> Self {
        SwaggerUiView {
            html: document.swagger_html.clone(),
        }
    }
}

#[async_trait::async_trait]
impl ApiView for SwaggerUiView {
    fn methods(&self) -> Vec<Method> {
        vec![Method::GET]
    }
    fn renderer_classes(&self) -> Option<Vec<Arc<dyn crate::renderers::Renderer>>> {
        Some(vec![Arc::new(crate::renderers::TEMPLATE_HTML_RENDERER)])
    }
    /// The page asks for a CSRF token (drf-spectacular's template sends it with Swagger UI's
    /// requests), which sets the `csrftoken` cookie.
    async fn handle(&self, ctx: &mut RequestContext) -> ApiResult<Response> {
        let page = Response::json_bytes(StatusCode::OK, self.html.clone().into_bytes())
            .with_header("Content-Type", "text/html; charset=utf-8")
            .with_header("Cross-Origin-Opener-Policy", "unsafe-none");
        ctx.mark_csrf_token_used();
        Ok(page)
    }
}

/// drf-spectacular's `SpectacularRedocView`: the ReDoc page reading the schema at
/// `schema_url`. Mount it where you want it, e.g.
/// `.path("/api/schema/redoc/", RedocView::new("/api/schema/", "Blog API"))`.
pub struct RedocView {
    html: String,
}

/// Where the ReDoc page loads ReDoc from (drf-spectacular's `REDOC_DIST`).
pub const REDOC_DIST: &str = "https://cdn.jsdelivr.net/npm/redoc@latest";

impl RedocView {
    /// The page for the document at `schema_url` (a path such as `/api/schema/`).
    pub fn new(schema_url: &str, title: &str) -> Self {
        use crate::renderers::escape;
        let html = format!(
            "<!DOCTYPE html>\n<html>\n  <head>\n    <title>{title}</title>\n    <meta charset=\"utf-8\">\n    <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n    <link rel=\"preconnect\" href=\"https://fonts.googleapis.com\">\n    <link rel=\"preconnect\" href=\"https://fonts.gstatic.com\" crossorigin>\n    <link rel=\"stylesheet\" href=\"https://fonts.googleapis.com/css2?family=Montserrat:wght@300;400;700&family=Roboto:wght@300;400;700&display=swap\">\n    <style>\n      body {{ margin: 0; padding: 0; }}\n    </style>\n  </head>\n  <body>\n    <redoc spec-url=\"{url}\"></redoc>\n    <script src=\"{REDOC_DIST}/bundles/redoc.standalone.js\"></script>\n  </body>\n</html>\n",
            title = escape(title),
            url = escape(schema_url),
        );
        RedocView { html }
    }
}

#[async_trait::async_trait]
impl ApiView for RedocView {
    fn methods(&self) -> Vec<Method> {
        vec![Method::GET]
    }
    fn renderer_classes(&self) -> Option<Vec<std::sync::Arc<dyn crate::renderers::Renderer>>> {
        Some(vec![Arc::new(crate::renderers::TEMPLATE_HTML_RENDERER)])
    }
    async fn handle(&self, _ctx: &mut RequestContext) -> ApiResult<Response> {
        Ok(
            Response::json_bytes(StatusCode::OK, self.html.clone().into_bytes())
                .with_header("Content-Type", "text/html; charset=utf-8"),
        )
    }
}

/// Schema helpers for [`crate::description`] (a described field's schema) and the contrib
/// views' hand-written schemas.
#[doc(hidden)]
pub mod schema {
    use super::*;

    /// A field's schema: the type's, with DRF's flags.
    pub fn field(
        base: MetaSchemaRef,
        read_only: bool,
        write_only: bool,
        nullable: bool,
        max_length: Option<usize>,
    ) -> MetaSchemaRef {
        base.merge(MetaSchema {
            read_only,
            write_only,
            nullable,
            max_length,
            ..MetaSchema::ANY
        })
    }

    /// A string schema with a `format` (`email`, `uri`; poem-openapi's `merge` drops formats).
    pub fn string_format(format: &'static str) -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            format: Some(format),
            ..MetaSchema::new("string")
        }))
    }

    /// An e-mail field's schema; one that may be blank is drf-spectacular's
    /// `oneOf: [email, {maxLength: 0}]`.
    pub fn email(allow_blank: bool) -> MetaSchemaRef {
        if !allow_blank {
            return string_format("email");
        }
        let blank = MetaSchema {
            max_length: Some(0),
            ..MetaSchema::new("string")
        };
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            one_of: vec![
                string_format("email"),
                MetaSchemaRef::Inline(Box::new(blank)),
            ],
            ..MetaSchema::ANY
        }))
    }

    /// `schema` with the field's label as `title`, unless the label only restates the
    /// field's name (drf-spectacular's `is_trivial_string_variation`).
    pub fn titled(schema: MetaSchemaRef, field_name: &str, label: &str) -> MetaSchemaRef {
        let normal = |text: &str| text.trim().to_lowercase().replace([' ', '-'], "_");
        match schema {
            MetaSchemaRef::Inline(mut inline) if normal(label) != normal(field_name) => {
                inline.title = Some(label.to_string());
                MetaSchemaRef::Inline(inline)
            }
            other => other,
        }
    }

    /// Registers an object schema once under `name` (`required` sorted, as drf-spectacular).
    pub fn register_object(
        registry: &mut Registry,
        name: String,
        properties: Vec<(&'static str, MetaSchemaRef)>,
        required: Vec<&'static str>,
    ) {
        register_described_object(registry, name, None, properties, required);
    }

    /// [`register_object`] with the schema's `description` (a serializer's docstring).
    pub fn register_described_object(
        registry: &mut Registry,
        name: String,
        description: Option<&'static str>,
        properties: Vec<(&'static str, MetaSchemaRef)>,
        mut required: Vec<&'static str>,
    ) {
        required.sort_unstable();
        registry.schemas.entry(name).or_insert_with(|| MetaSchema {
            description,
            properties,
            required,
            ..MetaSchema::new("object")
        });
    }

    /// A serializer's component `name` from its description (drf-spectacular's
    /// `_map_basic_serializer`), once (a component already there is kept): every field,
    /// read-only ones `readOnly`, write-only ones `writeOnly`, `required` naming the required and the read-only fields. With `patched`,
    /// also `Patched<name>` (a partial update's body: nothing required). The components the
    /// fields refer to (nested serializers) are registered first.
    pub fn register_serializer(
        registry: &mut Registry,
        name: &str,
        description: Option<&'static str>,
        fields: &[FieldDescription],
        patched: bool,
    ) {
        let patched = patched.then(|| format!("Patched{name}"));
        let registered = |name: &str| registry.schemas.contains_key(name);
        if registered(name) && patched.as_deref().is_none_or(registered) {
            return;
        }
        let properties: Vec<(&'static str, MetaSchemaRef)> = fields
            .iter()
            .map(|field| (field.key, property(field, registry)))
            .collect();
        // drf-spectacular: required fields, and read-only ones (always in responses).
        let required = fields
            .iter()
            .filter(|field| field.read_only || field.required)
            .map(|field| field.key)
            .collect();
        let patched = patched.map(|patched| (patched, properties.clone()));
        register_described_object(
            registry,
            name.to_string(),
            description,
            properties,
            required,
        );
        if let Some((patched, properties)) = patched {
            register_described_object(registry, patched, description, properties, Vec::new());
        }
    }

    /// One field's property: its base schema with DRF's flags, title and default.
    fn property(field: &FieldDescription, registry: &mut Registry) -> MetaSchemaRef {
        let base = if field.email {
            email(field.options.allow_blank)
        } else if field.url {
            string_format("uri")
        } else {
            (field.schema)(registry)
        };
        let base = match field.pattern {
            Some(pattern) => base.merge(MetaSchema {
                pattern: Some(pattern.regex().to_string()),
                ..MetaSchema::ANY
            }),
            None => base,
        };
        let schema = titled(
            self::field(
                base,
                field.read_only,
                field.write_only,
                field.allow_null,
                field.options.max_length,
            ),
            field.key,
            field.label,
        );
        match field.default {
            Some(default) => schema.merge(MetaSchema {
                default: default(),
                ..MetaSchema::ANY
            }),
            None => schema,
        }
    }

    /// `$ref` to a nested serializer's read schema, or an array of them.
    pub fn nested<S: ModelSerializer>(many: bool) -> MetaSchemaRef {
        array_if(many, S::schema_ref())
    }

    /// `schema`, or an array of it with `many`.
    fn array_if(many: bool, schema: MetaSchemaRef) -> MetaSchemaRef {
        if many {
            MetaSchemaRef::Inline(Box::new(MetaSchema {
                items: Some(Box::new(schema)),
                ..MetaSchema::new("array")
            }))
        } else {
            schema
        }
    }

    /// A hyperlink (`format: uri`), or an array of them.
    pub fn hyperlink(many: bool) -> MetaSchemaRef {
        let uri = MetaSchemaRef::Inline(Box::new(MetaSchema {
            format: Some("uri"),
            ..MetaSchema::new("string")
        }));
        if many {
            MetaSchemaRef::Inline(Box::new(MetaSchema {
                items: Some(Box::new(uri)),
                ..MetaSchema::new("array")
            }))
        } else {
            uri
        }
    }

    /// Schema of an entity's name, to keep `ModelMeta` linked from docs.
    pub fn model_name<E: ModelMeta>() -> &'static str {
        E::NAME
    }
}

#[cfg(test)]
mod tests {
    use crate::description::{FieldDescription, FieldKind, type_schema};
    use crate::fields::FieldOptions;
    use poem_openapi::registry::Registry;

    #[test]
    fn resource_names_come_from_the_path() {
        assert_eq!(super::resource_name("/api/articles/"), "articles");
        assert_eq!(super::resource_name("/api/articles/{id}/"), "articles");
    }

    const fn described(key: &'static str, label: &'static str) -> FieldDescription {
        FieldDescription::for_tests(
            key,
            label,
            FieldKind::Value {
                type_name: "string",
            },
        )
    }

    const FIELDS: &[FieldDescription] = &[
        FieldDescription {
            read_only: true,
            required: false,
            schema: type_schema::<i64>,
            ..described("id", "ID")
        },
        FieldDescription {
            options: FieldOptions {
                max_length: Some(100),
                ..FieldOptions::DEFAULT
            },
            ..described("title", "Heading")
        },
        FieldDescription {
            allow_null: true,
            required: false,
            email: true,
            ..described("email", "Email")
        },
        FieldDescription {
            write_only: true,
            required: false,
            default: Some(|| Some(serde_json::json!("x"))),
            ..described("secret", "Secret")
        },
    ];

    /// A serializer's component and its `Patched` twin, from its description.
    #[test]
    fn serializer_components_come_from_the_description() {
        let mut registry = Registry::new();
        super::schema::register_serializer(&mut registry, "Thing", Some("A thing."), FIELDS, true);
        let json = |registry: &Registry, name: &str| {
            serde_json::to_value(&registry.schemas[name]).unwrap()
        };
        let properties = serde_json::json!({
            "id": {"type": "integer", "format": "int64", "readOnly": true},
            "title": {"type": "string", "maxLength": 100, "title": "Heading"},
            "email": {"type": "string", "format": "email", "nullable": true},
            "secret": {"type": "string", "writeOnly": true, "default": "x"},
        });
        assert_eq!(
            json(&registry, "Thing"),
            serde_json::json!({
                "type": "object",
                "description": "A thing.",
                "required": ["id", "title"],
                "properties": properties,
            })
        );
        assert_eq!(
            json(&registry, "PatchedThing"),
            serde_json::json!({
                "type": "object",
                "description": "A thing.",
                "properties": properties,
            })
        );
        // `Patched<name>` is added beside a component registered without it.
        let mut later = Registry::new();
        super::schema::register_serializer(&mut later, "Thing", None, FIELDS, false);
        assert!(!later.schemas.contains_key("PatchedThing"));
        super::schema::register_serializer(&mut later, "Thing", None, FIELDS, true);
        assert!(later.schemas.contains_key("PatchedThing"));
        // Registered once: a second call changes nothing.
        super::schema::register_serializer(&mut registry, "Thing", None, &FIELDS[..1], false);
        assert_eq!(json(&registry, "Thing")["description"], "A thing.");
    }
}

#[cfg(test)]
mod security_tests {
    use super::*;

    #[test]
    fn bearer_schemes_are_http_only_for_authorization_bearer() {
        let jwt = SecurityScheme::bearer("jwtAuth", "Authorization", "Bearer", Some("JWT"));
        assert_eq!(
            jwt.definition,
            serde_json::json!({"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})
        );
        let token = SecurityScheme::bearer("tokenAuth", "Authorization", "Token", None);
        assert_eq!(
            token.definition,
            serde_json::json!({
                "type": "apiKey",
                "in": "header",
                "name": "Authorization",
                "description": "Token-based authentication with required prefix \"Token\""
            })
        );
    }

    #[test]
    fn anonymous_access_ends_the_security_list() {
        let schemes = [
            SecurityScheme::basic("basicAuth"),
            SecurityScheme::api_key("cookieAuth", "cookie", "sessionid"),
        ];
        let names = |security: &[HashMap<&'static str, Vec<&'static str>>]| {
            security
                .iter()
                .map(|s| s.keys().copied().collect::<Vec<_>>().join(","))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            names(&operation_security(&schemes, || true)),
            ["basicAuth", "cookieAuth", ""]
        );
        assert_eq!(
            names(&operation_security(&schemes, || false)),
            ["basicAuth", "cookieAuth"]
        );
        assert!(operation_security(&[], || false).is_empty());
    }

    #[test]
    fn labels_that_restate_the_name_are_no_title() {
        let string = || <String as Type>::schema_ref();
        let title = |schema: MetaSchemaRef| match schema {
            MetaSchemaRef::Inline(inline) => inline.title,
            MetaSchemaRef::Reference(_) => None,
        };
        assert_eq!(
            title(schema::titled(string(), "first_name", "First name")),
            None
        );
        assert_eq!(
            title(schema::titled(string(), "email", "Email address")),
            Some("Email address".to_string())
        );
    }
}
