//! Function-based views (DRF's `@api_view` and the policy decorators of
//! `rest_framework.decorators`).
//!
//! An `async fn` taking the request and returning a response becomes a view with
//! [`api_view`]; it goes through the same pipeline as every view (content negotiation,
//! authentication, permissions, 405 with `Allow`, OPTIONS metadata, rendering):
//!
//! ```rust
//! use rest_framework::decorators::api_view;
//! use rest_framework::poem::http::Method;
//! use rest_framework::prelude::*;
//! use rest_framework::response::Response;
//!
//! /// Says hello.
//! async fn hello_world(request: RequestContext) -> ApiResult<Response> {
//!     if *request.method() == Method::POST {
//!         let data = request.data()?;
//!         return Ok(Response::ok(&serde_json::json!({"message": "Got some data!", "data": data})));
//!     }
//!     Ok(Response::ok(&serde_json::json!({"message": "Hello, world!"})))
//! }
//!
//! let urls = UrlPatterns::new().path(
//!     "/hello/",
//!     api_view(&[Method::GET, Method::POST], hello_world)
//!         .permission_classes(IsAuthenticatedOrReadOnly)
//!         .description("Says hello."),
//! );
//! ```
//!
//! As in DRF, only the listed methods and OPTIONS are allowed: HEAD is answered (as GET) only
//! when listed. The view's name in OPTIONS metadata comes from the function's name
//! (`hello_world` -> `Hello World`), as DRF's `get_view_name` does.

use crate::authentication::Authentication;
use crate::exceptions::ApiResult;
use crate::permissions::Permission;
use crate::renderers::Renderer;
use crate::request::RequestContext;
use crate::response::Response;
use crate::views::ApiView;
use crate::viewsets::check_permission;
use futures_util::future::BoxFuture;
use poem::http::Method;
use std::future::Future;
use std::sync::Arc;

type Handler = Arc<dyn Fn(RequestContext) -> BoxFuture<'static, ApiResult<Response>> + Send + Sync>;
type PermissionCheck = Arc<dyn Fn(&RequestContext) -> ApiResult<()> + Send + Sync>;

/// DRF's `@api_view(methods)`: a view answering `methods` with `handler`. Configure it further
/// with the builder methods (DRF's `@permission_classes`, `@authentication_classes`,
/// `@renderer_classes`).
pub fn api_view<F, Fut>(methods: &[Method], handler: F) -> FunctionView
where
    F: Fn(RequestContext) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ApiResult<Response>> + Send + 'static,
{
    FunctionView {
        methods: methods.to_vec(),
        name: view_name_of(std::any::type_name::<F>()),
        description: String::new(),
        handler: Arc::new(move |request| Box::pin(handler(request))),
        permission: None,
        authentication: None,
        renderers: None,
    }
}

/// A function-based view made by [`api_view`].
pub struct FunctionView {
    methods: Vec<Method>,
    name: String,
    description: String,
    handler: Handler,
    permission: Option<PermissionCheck>,
    authentication: Option<Vec<Arc<dyn Authentication>>>,
    renderers: Option<Vec<Arc<dyn Renderer>>>,
}

impl FunctionView {
    /// DRF's `@permission_classes(...)` (compose with `And`, `Or`, `Not`). Default: allow any.
    pub fn permission_classes(mut self, permission: impl Permission<()>) -> Self {
        self.permission = Some(Arc::new(move |ctx| check_permission(&permission, ctx)));
        self
    }

    /// DRF's `@authentication_classes([...])`. Default: the settings'.
    pub fn authentication_classes(mut self, classes: Vec<Arc<dyn Authentication>>) -> Self {
        self.authentication = Some(classes);
        self
    }

    /// DRF's `@renderer_classes([...])`. Default: the settings'.
    pub fn renderer_classes(mut self, renderers: Vec<Arc<dyn Renderer>>) -> Self {
        self.renderers = Some(renderers);
        self
    }

    /// The name shown by OPTIONS (default: from the function's name).
    pub fn name(mut self, name: &str) -> Self {
        self.name = name.to_string();
        self
    }

    /// The description shown by OPTIONS (DRF uses the docstring).
    pub fn description(mut self, description: &str) -> Self {
        self.description = description.to_string();
        self
    }
}

#[async_trait::async_trait]
impl ApiView for FunctionView {
    fn methods(&self) -> Vec<Method> {
        self.methods.clone()
    }
    fn head_as_get(&self) -> bool {
        false
    }
    fn authentication_classes(&self) -> Option<Vec<Arc<dyn Authentication>>> {
        self.authentication.clone()
    }
    fn renderer_classes(&self) -> Option<Vec<Arc<dyn Renderer>>> {
        self.renderers.clone()
    }
    fn check_permissions(&self, ctx: &RequestContext) -> ApiResult<()> {
        match &self.permission {
            Some(check) => check(ctx),
            None => Ok(()),
        }
    }
    async fn handle(&self, ctx: &mut RequestContext) -> ApiResult<Response> {
        (self.handler)(ctx.take()).await
    }
    fn name(&self) -> String {
        self.name.clone()
    }
    fn description(&self) -> String {
        self.description.clone()
    }
}

/// DRF's `get_view_name` for a function: `my_app::views::hello_world` -> `Hello World`.
fn view_name_of(type_name: &str) -> String {
    let name = type_name.rsplit("::").next().unwrap_or("");
    if name.contains(['{', '<', ' ']) {
        return String::new();
    }
    name.split('_')
        .filter(|word| !word.is_empty())
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| {
                    first
                        .to_uppercase()
                        .chain(chars.flat_map(char::to_lowercase))
                        .collect()
                })
                .unwrap_or_default()
        })
        .collect::<Vec<String>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::view_name_of;

    #[test]
    fn view_names_come_from_function_names() {
        assert_eq!(view_name_of("app::views::hello_world"), "Hello World");
        assert_eq!(view_name_of("app::views::{{closure}}"), "");
    }
}
