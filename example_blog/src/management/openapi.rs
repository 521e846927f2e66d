//! `openapi`: the OpenAPI document that `GET /api/schema/` serves (drf-spectacular's
//! `manage.py spectacular --file`), produced without a server or a database file.

use crate::config::Config;
use anyhow::{Context, bail};
use rest_framework::poem::http::uri::Scheme;
use rest_framework::poem::web::{LocalAddr, RemoteAddr};
use rest_framework::poem::{Addr, Body, Endpoint, Request, RequestParts, http};

/// The document's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SchemaFormat {
    /// YAML, as `/api/schema/` serves by default.
    Yaml,
    /// JSON, as `/api/schema/?format=json`.
    Json,
}

/// The schema document, byte for byte what the blog's `/api/schema/` answers in `format`.
/// The application is built on an empty in-memory database, which the schema view never
/// reads.
pub async fn schema_document(format: SchemaFormat) -> anyhow::Result<String> {
    let db = crate::db::connect("sqlite::memory:")
        .await
        .context("cannot open an in-memory database")?;
    // The signing key plays no part in the document: the development settings will do.
    let config = Config::for_tests("sqlite::memory:");
    let app = crate::api::build_app(db, &config)
        .await
        .map_err(|err| anyhow::anyhow!("cannot build the application: {err}"))?;
    let uri = match format {
        SchemaFormat::Yaml => "/api/schema/",
        SchemaFormat::Json => "/api/schema/?format=json",
    };
    // Built as the server builds requests, so that `original_uri` (which routing reads) is set.
    let (head, ()) = http::Request::get(uri)
        .header("Host", "localhost")
        .body(())
        .context("cannot build the schema request")?
        .into_parts();
    let local = LocalAddr(Addr::Custom("openapi", "".into()));
    let remote = RemoteAddr(Addr::Custom("openapi", "".into()));
    let parts = RequestParts::from((head, local, remote, Scheme::HTTP));
    let response = app
        .get_response(Request::from_parts(parts, Body::empty()))
        .await;
    let status = response.status();
    let body = response
        .into_body()
        .into_string()
        .await
        .context("cannot read the schema")?;
    if !status.is_success() {
        bail!("GET {uri} answered {status}: {body}");
    }
    Ok(body)
}
