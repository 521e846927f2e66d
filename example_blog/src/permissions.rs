//! The blog's own permission classes.

use crate::entities::{article, comment};
use rest_framework::permissions::Permission;
use rest_framework::request::RequestContext;

/// A row with an author.
pub trait Owned {
    /// The author's user id.
    fn owner_id(&self) -> i64;
}

impl Owned for article::Model {
    fn owner_id(&self) -> i64 {
        self.user_id
    }
}

impl Owned for comment::Model {
    fn owner_id(&self) -> i64 {
        self.user_id
    }
}

/// Object-level: anyone may read, only the object's author may change it.
#[derive(Debug, Clone, Copy, Default)]
pub struct IsOwnerOrReadOnly;

impl<M: Owned> Permission<M> for IsOwnerOrReadOnly {
    fn has_object_permission(&self, ctx: &RequestContext, obj: &M) -> bool {
        ctx.is_safe_method() || ctx.user().is_some_and(|user| user.id == obj.owner_id())
    }
}

/// Anyone may read; only staff users (`is_staff`) may write.
#[derive(Debug, Clone, Copy, Default)]
pub struct IsStaffOrReadOnly;

impl<M> Permission<M> for IsStaffOrReadOnly {
    fn has_permission(&self, ctx: &RequestContext) -> bool {
        ctx.is_safe_method() || ctx.user().is_some_and(|user| user.is_staff)
    }
}
