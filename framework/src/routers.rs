//! Routers (DRF's `rest_framework.routers`): register viewsets under prefixes and get their
//! URL patterns, with DRF's trailing slashes and route names (`article-list`,
//! `article-detail`). `DefaultRouter` also serves the API root.

use crate::exceptions::ApiResult;
use crate::request::RequestContext;
use crate::response::Response;
use crate::urls::UrlPattern;
use crate::views::ApiView;
use crate::viewsets::ViewSet;
use poem::http::Method;
use std::sync::Arc;

struct Registration {
    prefix: String,
    basename: String,
    viewset: Arc<dyn ViewSetRoutes>,
}

/// Object-safe face of [`ViewSet`].
trait ViewSetRoutes: Send + Sync {
    fn routes(self: Arc<Self>) -> Vec<crate::viewsets::ViewSetRoute>;
}

impl<V: ViewSet> ViewSetRoutes for V {
    fn routes(self: Arc<Self>) -> Vec<crate::viewsets::ViewSetRoute> {
        ViewSet::routes(self)
    }
}

/// DRF's `DefaultRouter`: the viewsets' routes plus the API root view at the prefix.
#[derive(Default)]
pub struct DefaultRouter {
    registrations: Vec<Registration>,
    root_view: bool,
}

/// DRF's `SimpleRouter`: like [`DefaultRouter`] without the API root.
pub struct SimpleRouter;

impl SimpleRouter {
    /// A router without an API root view.
    #[allow(clippy::new_ret_no_self)]
    pub fn new() -> DefaultRouter {
        DefaultRouter {
            registrations: Vec::new(),
            root_view: false,
        }
    }
}

impl DefaultRouter {
    /// An empty router with an API root view.
    pub fn new() -> Self {
        DefaultRouter {
            registrations: Vec::new(),
            root_view: true,
        }
    }

    /// Registers a viewset under `prefix` (`"articles"`), with the model's basename.
    pub fn register<V: ViewSet>(self, prefix: &str, viewset: V) -> Self {
        let basename = viewset.basename();
        self.register_with_basename(prefix, viewset, &basename)
    }

    /// Registers a viewset with an explicit basename (route names `basename-list`, ...).
    pub fn register_with_basename<V: ViewSet>(
        mut self,
        prefix: &str,
        viewset: V,
        basename: &str,
    ) -> Self {
        self.registrations.push(Registration {
            prefix: prefix.trim_matches('/').to_string(),
            basename: basename.to_string(),
            viewset: Arc::new(viewset),
        });
        self
    }

    /// The URL patterns of every registered viewset below `base` (`/api/`).
    pub fn into_patterns(self, base: &str) -> Vec<UrlPattern> {
        let base = format!("/{}/", base.trim_matches('/')).replace("//", "/");
        let mut patterns = Vec::new();
        let mut root_entries = Vec::new();
        for registration in self.registrations {
            root_entries.push((
                registration.prefix.clone(),
                format!("{base}{}/", registration.prefix),
            ));
            for route in registration.viewset.routes() {
                let path = format!("{base}{}/{}", registration.prefix, route.suffix);
                let name = format!("{}-{}", registration.basename, route.name);
                let pattern = UrlPattern::new(&path, route.view, Some(name));
                patterns.push(match self.root_view {
                    // DefaultRouter's `include_format_suffixes`.
                    true => pattern.with_format_suffix(path.trim_end_matches('/')),
                    false => pattern,
                });
            }
        }
        if self.root_view {
            let root = ApiRootView {
                entries: root_entries,
            };
            patterns.insert(
                0,
                UrlPattern::new(&base, Arc::new(root), Some("api-root".into()))
                    .with_format_suffix(&base),
            );
        }
        patterns
    }
}

/// DRF's `APIRootView`: `{"articles": "http://host/api/articles/", ...}`.
pub struct ApiRootView {
    entries: Vec<(String, String)>,
}

#[async_trait::async_trait]
impl ApiView for ApiRootView {
    fn methods(&self) -> Vec<Method> {
        vec![Method::GET]
    }
    async fn handle(&self, ctx: &mut RequestContext) -> ApiResult<Response> {
        let mut body = serde_json::Map::new();
        let format = ctx.path_param(crate::negotiation::URL_FORMAT_OVERRIDE);
        for (name, path) in &self.entries {
            // DRF reverses with the request's format: `/api/.json` lists `/api/articles.json`.
            let path = match format {
                Some(format) => format!("{}.{format}", path.trim_end_matches('/')),
                None => path.clone(),
            };
            body.insert(name.clone(), ctx.build_absolute_uri(&path).into());
        }
        Ok(Response::ok(&body))
    }
    fn name(&self) -> String {
        "Api Root".into()
    }
    fn description(&self) -> String {
        "The default basic root view for DefaultRouter".into()
    }
}
