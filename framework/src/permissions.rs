//! Permissions (DRF's `rest_framework.permissions`): checked after authentication, first for
//! the request (`has_permission`), then for the object of a detail action
//! (`has_object_permission`). A refusal is 401 for anonymous requests and 403 otherwise.
//!
//! Compose them as in DRF 3.9+: in `#[viewset(permissions = A & (B | !C))]` the macro builds
//! [`And`], [`Or`] and [`Not`]; a list `[A, B]` means all of them.

use crate::request::RequestContext;
use poem::http::Method;

/// A permission class, for the rows `M` of a view.
pub trait Permission<M>: Send + Sync + 'static {
    /// Request-level check (DRF's `has_permission`).
    fn has_permission(&self, _ctx: &RequestContext) -> bool {
        true
    }
    /// Object-level check (DRF's `has_object_permission`), for detail actions.
    fn has_object_permission(&self, _ctx: &RequestContext, _obj: &M) -> bool {
        true
    }
    /// Whether the OpenAPI document offers `method` without credentials (the empty
    /// security requirement `{}`). drf-spectacular only knows [`AllowAny`], and
    /// [`IsAuthenticatedOrReadOnly`] on safe methods; every other class says no.
    fn openapi_allows_anonymous(&self, _method: &Method) -> bool {
        false
    }
}

/// Everyone, always.
#[derive(Debug, Clone, Copy, Default)]
pub struct AllowAny;
impl<M> Permission<M> for AllowAny {
    fn openapi_allows_anonymous(&self, _method: &Method) -> bool {
        true
    }
}

/// Authenticated users only.
#[derive(Debug, Clone, Copy, Default)]
pub struct IsAuthenticated;
impl<M> Permission<M> for IsAuthenticated {
    fn has_permission(&self, ctx: &RequestContext) -> bool {
        ctx.user().is_some()
    }
}

/// Staff users only (`is_staff`).
#[derive(Debug, Clone, Copy, Default)]
pub struct IsAdminUser;
impl<M> Permission<M> for IsAdminUser {
    fn has_permission(&self, ctx: &RequestContext) -> bool {
        ctx.user().is_some_and(|u| u.is_staff)
    }
}

/// Anyone may read (GET, HEAD, OPTIONS); only authenticated users may write.
#[derive(Debug, Clone, Copy, Default)]
pub struct IsAuthenticatedOrReadOnly;
impl<M> Permission<M> for IsAuthenticatedOrReadOnly {
    fn has_permission(&self, ctx: &RequestContext) -> bool {
        ctx.is_safe_method() || ctx.user().is_some()
    }
    fn openapi_allows_anonymous(&self, method: &Method) -> bool {
        matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
    }
}

/// Both permissions (`A & B`).
#[derive(Debug, Clone, Copy, Default)]
pub struct And<A, B>(pub A, pub B);
impl<M, A: Permission<M>, B: Permission<M>> Permission<M> for And<A, B> {
    fn has_permission(&self, ctx: &RequestContext) -> bool {
        self.0.has_permission(ctx) && self.1.has_permission(ctx)
    }
    fn has_object_permission(&self, ctx: &RequestContext, obj: &M) -> bool {
        self.0.has_object_permission(ctx, obj) && self.1.has_object_permission(ctx, obj)
    }
    /// A list of classes in DRF: drf-spectacular looks for the known classes in it.
    fn openapi_allows_anonymous(&self, method: &Method) -> bool {
        self.0.openapi_allows_anonymous(method) || self.1.openapi_allows_anonymous(method)
    }
}

/// Either permission (`A | B`). As DRF 3.14+: an object is allowed when one side allows both
/// the request and the object.
#[derive(Debug, Clone, Copy, Default)]
pub struct Or<A, B>(pub A, pub B);
impl<M, A: Permission<M>, B: Permission<M>> Permission<M> for Or<A, B> {
    fn has_permission(&self, ctx: &RequestContext) -> bool {
        self.0.has_permission(ctx) || self.1.has_permission(ctx)
    }
    fn has_object_permission(&self, ctx: &RequestContext, obj: &M) -> bool {
        (self.0.has_permission(ctx) && self.0.has_object_permission(ctx, obj))
            || (self.1.has_permission(ctx) && self.1.has_object_permission(ctx, obj))
    }
}

/// The negation of a permission (`!A`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Not<A>(pub A);
impl<M, A: Permission<M>> Permission<M> for Not<A> {
    fn has_permission(&self, ctx: &RequestContext) -> bool {
        !self.0.has_permission(ctx)
    }
    fn has_object_permission(&self, ctx: &RequestContext, obj: &M) -> bool {
        !self.0.has_object_permission(ctx, obj)
    }
}
