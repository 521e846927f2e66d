//! Content negotiation (DRF's `DefaultContentNegotiation`): pick the renderer of a response
//! from the URL format (`.json` suffix or `?format=json`) and the `Accept` header.

use crate::exceptions::{ApiError, ApiResult};
use crate::fields::{PyInt, parse_py_int};
use crate::renderers::Renderer;
use crate::request::RequestContext;
use std::sync::Arc;

/// The query parameter that forces a format (DRF's `URL_FORMAT_OVERRIDE`).
pub const URL_FORMAT_OVERRIDE: &str = "format";

/// The renderer chosen for a request and the media type it accepted (with the client's
/// parameters, e.g. `application/json; indent=2`).
#[derive(Clone)]
pub struct Negotiated {
    /// The renderer.
    pub renderer: Arc<dyn Renderer>,
    /// The accepted media type.
    pub accepted_media_type: String,
}

/// DRF's `select_renderer`: a format (suffix first, then `?format=`) keeps only the renderers
/// of that format (none: 404 `Not found.`); then the `Accept` media ranges, most specific
/// first, pick the first renderer matching one of them (none: 406).
pub fn select_renderer(
    renderers: &[Arc<dyn Renderer>],
    ctx: &RequestContext,
) -> ApiResult<Negotiated> {
    let format = ctx
        .path_param(URL_FORMAT_OVERRIDE)
        .or_else(|| ctx.query_param(URL_FORMAT_OVERRIDE))
        .filter(|format| !format.is_empty());
    let candidates: Vec<&Arc<dyn Renderer>> = renderers
        .iter()
        .filter(|renderer| format.is_none_or(|format| renderer.format() == format))
        .collect();
    if candidates.is_empty() {
        return Err(ApiError::NotFound("Not found.".into()));
    }
    let accept = ctx.header(poem::http::header::ACCEPT).map_or("", str::trim);
    if accept.is_empty() || accept == "*/*" {
        // Most requests: `*/*` (or no `Accept`, which means it) takes the first renderer
        // with its own media type, unless that type has parameters or wildcards, which the
        // general rules below handle.
        let first = candidates[0];
        if !first.media_type().contains([';', '*']) {
            return Ok(Negotiated {
                renderer: Arc::clone(first),
                accepted_media_type: first.media_type().to_string(),
            });
        }
    }
    let ranges: Vec<MediaType> = if accept.is_empty() {
        vec![MediaType::parse("*/*")]
    } else {
        accept.split(',').map(MediaType::parse).collect()
    };
    let rendered: Vec<MediaType> = candidates
        .iter()
        .map(|renderer| MediaType::parse(renderer.media_type()))
        .collect();
    for precedence in (0..=3).rev() {
        let set: Vec<&MediaType> = ranges
            .iter()
            .filter(|range| range.precedence() == precedence)
            .collect();
        for (renderer, rendered) in candidates.iter().zip(&rendered) {
            for range in &set {
                if rendered.matches(range) {
                    let accepted_media_type = if rendered.precedence() > range.precedence() {
                        // `*/*; indent=2` accepts `application/json;indent=2`.
                        std::iter::once(renderer.media_type().to_string())
                            .chain(range.params.iter().map(|(k, v)| format!("{k}={v}")))
                            .collect::<Vec<_>>()
                            .join(";")
                    } else {
                        range.original.clone()
                    };
                    return Ok(Negotiated {
                        renderer: Arc::clone(renderer),
                        accepted_media_type,
                    });
                }
            }
        }
    }
    Err(ApiError::NotAcceptable)
}

/// A media type or range with its parameters (DRF's `_MediaType`).
#[derive(Debug, Clone)]
pub struct MediaType {
    original: String,
    main_type: String,
    sub_type: String,
    params: Vec<(String, String)>,
}

impl MediaType {
    /// Parses `type/subtype; key=value` (types and keys lower-cased, as Django does).
    pub fn parse(text: &str) -> MediaType {
        let original = text.trim().to_string();
        let mut parts = original.split(';');
        let full = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let (main_type, sub_type) = full.split_once('/').unwrap_or((full.as_str(), ""));
        let params = parts
            .filter_map(|part| {
                let (key, value) = part.split_once('=')?;
                let value = value.trim().trim_matches('"');
                Some((key.trim().to_ascii_lowercase(), value.to_string()))
            })
            .collect();
        MediaType {
            main_type: main_type.trim().to_string(),
            sub_type: sub_type.trim().to_string(),
            original,
            params,
        }
    }

    /// `type/subtype`, lower-cased, without parameters.
    pub fn essence(&self) -> String {
        format!("{}/{}", self.main_type, self.sub_type)
    }

    /// A parameter's value.
    pub fn param(&self, key: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// 0 for `*/*`, 1 for `type/*`, 2 for `type/subtype`, 3 with parameters other than `q`.
    fn precedence(&self) -> u8 {
        if self.main_type == "*" {
            0
        } else if self.sub_type == "*" {
            1
        } else if self.params.iter().all(|(k, _)| k == "q") {
            2
        } else {
            3
        }
    }

    /// DRF's `_MediaType.match`: does this (a renderer's type) satisfy `other` (a range)?
    fn matches(&self, other: &MediaType) -> bool {
        let params_match = self
            .params
            .iter()
            .all(|(key, value)| key == "q" || other.param(key) == Some(value.as_str()));
        let part_matches =
            |mine: &str, theirs: &str| mine == "*" || theirs == "*" || mine == theirs;
        params_match
            && part_matches(&self.sub_type, &other.sub_type)
            && part_matches(&self.main_type, &other.main_type)
    }
}

/// DRF's `JSONRenderer.get_indent`: the `indent` parameter of the accepted media type, capped
/// to 0..=8, 0 meaning none.
pub fn indent_of(accepted_media_type: &str) -> Option<usize> {
    if !accepted_media_type.contains(';') {
        return None;
    }
    let media = MediaType::parse(accepted_media_type);
    let PyInt::Int(indent) = parse_py_int(media.param("indent")?) else {
        return None;
    };
    let indent = indent.clamp(0, 8) as usize;
    (indent > 0).then_some(indent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indent_is_capped_and_zero_is_none() {
        assert_eq!(indent_of("application/json; indent=2"), Some(2));
        assert_eq!(indent_of("application/json; indent=20"), Some(8));
        assert_eq!(indent_of("application/json; indent=0"), None);
        assert_eq!(indent_of("application/json; indent=x"), None);
        assert_eq!(indent_of("application/json"), None);
    }

    #[test]
    fn media_types_match_as_drf() {
        let json = MediaType::parse("application/json");
        assert!(json.matches(&MediaType::parse("application/*")));
        assert!(json.matches(&MediaType::parse("*/*")));
        assert!(json.matches(&MediaType::parse("application/json; indent=4")));
        assert!(!json.matches(&MediaType::parse("text/html")));
        assert_eq!(
            MediaType::parse("application/json; indent=4").precedence(),
            3
        );
        assert_eq!(MediaType::parse("application/json; q=0.5").precedence(), 2);
    }
}
