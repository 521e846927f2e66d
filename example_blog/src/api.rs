//! The blog's HTTP API: serializers, viewsets and the router. (Owned by the framework author.)

use crate::config::Config;
use sea_orm::DatabaseConnection;

/// Builds the whole HTTP application (router, middleware) for a migrated database.
pub async fn build_app(
    _db: DatabaseConnection,
    _config: &Config,
) -> Result<rest_framework::poem::endpoint::BoxEndpoint<'static>, String> {
    todo!("wired up by the framework author")
}
