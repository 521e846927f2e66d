//! Django's `ALLOWED_HOSTS`: the host names this server answers for.
//!
//! Absolute URLs (pagination links, hyperlinks, the API root, the links of password-reset
//! e-mails) are built from the request's `Host` header. A server that believed any `Host`
//! would let a client put its own host into those links (host-header poisoning), so a request
//! naming a host outside the list is refused with Django's `400 Bad Request` page before any
//! view runs, as Django's `HttpRequest.get_host()` refuses it.
//!
//! Patterns are Django's: `example.com` matches that host exactly, `.example.com` the domain
//! and every subdomain, `*` anything; matching ignores case, the port and a trailing dot.
//!
//! ```
//! use rest_framework::hosts::AllowedHosts;
//!
//! let hosts = AllowedHosts::new(["api.example.com", ".example.org"]);
//! assert!(hosts.allows("API.example.com:8443"));
//! assert!(hosts.allows("www.example.org"));
//! assert!(!hosts.allows("evil.example"));
//! // Settings::allowed_hosts takes it; from an environment variable:
//! let from_env = AllowedHosts::from_comma_separated("api.example.com, .example.org");
//! assert_eq!(from_env, hosts);
//! ```

use std::borrow::Cow;

/// The hosts Django's development setup answers for and the DRF reference app's default
/// (`127.0.0.1,localhost,[::1],testserver`).
pub const DEVELOPMENT_ALLOWED_HOSTS: &[&str] = &["127.0.0.1", "localhost", "[::1]", "testserver"];

/// Django's `400 Bad Request` page (`django.views.defaults.bad_request` without `DEBUG`).
pub const BAD_REQUEST_PAGE: &str = "\n<!doctype html>\n<html lang=\"en\">\n<head>\n  <title>Bad Request (400)</title>\n</head>\n<body>\n  <h1>Bad Request (400)</h1><p></p>\n</body>\n</html>\n";

/// A list of allowed host patterns (the `ALLOWED_HOSTS` setting).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedHosts {
    patterns: Vec<String>,
}

impl Default for AllowedHosts {
    /// [`DEVELOPMENT_ALLOWED_HOSTS`].
    fn default() -> Self {
        AllowedHosts::new(DEVELOPMENT_ALLOWED_HOSTS.iter().copied())
    }
}

impl AllowedHosts {
    /// The hosts matching any of `patterns` (`example.com`, `.example.com`, `*`).
    pub fn new<S: Into<String>>(patterns: impl IntoIterator<Item = S>) -> Self {
        AllowedHosts {
            patterns: patterns
                .into_iter()
                .map(|pattern| pattern.into().trim().to_ascii_lowercase())
                .filter(|pattern| !pattern.is_empty())
                .collect(),
        }
    }

    /// Every host (`ALLOWED_HOSTS = ["*"]`): for a server behind a proxy that checks the
    /// host itself.
    pub fn any() -> Self {
        AllowedHosts::new(["*"])
    }

    /// A comma-separated list, as an environment variable gives it
    /// (`"api.example.com,.example.org"`); blanks around the commas are ignored.
    pub fn from_comma_separated(list: &str) -> Self {
        AllowedHosts::new(list.split(','))
    }

    /// The patterns.
    pub fn patterns(&self) -> &[String] {
        &self.patterns
    }

    /// Whether no host at all is allowed (an empty list, as Django's default without
    /// `DEBUG`).
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// Django's `get_host()` check: whether a `Host` header value (`example.com:8000`,
    /// `[::1]:8000`) is well-formed and its domain matches a pattern.
    pub fn allows(&self, host: &str) -> bool {
        match split_domain_port(host) {
            Some((domain, _port)) if !domain.is_empty() => self
                .patterns
                .iter()
                .any(|pattern| pattern == "*" || is_same_domain(&domain, pattern)),
            _ => false,
        }
    }
}

/// Django's `split_domain_port`: the lower-cased domain (without a trailing dot) and port of
/// a host matching `^([a-z0-9.-]+|\[[a-f0-9]*:[a-f0-9.:]+\])(:[0-9]+)?$` (case-insensitively);
/// `None` otherwise. Allocates only for a host with upper-case letters (it runs on every
/// request).
pub fn split_domain_port(host: &str) -> Option<(Cow<'_, str>, &str)> {
    let domain_end = if host.starts_with('[') {
        let end = host.find(']')?;
        let (head, tail) = host[1..end].split_once(':')?;
        let valid = head.bytes().all(|b| b.is_ascii_hexdigit())
            && !tail.is_empty()
            && tail
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b'.' || b == b':');
        if !valid {
            return None;
        }
        end + 1
    } else {
        let end = host.find(':').unwrap_or(host.len());
        let valid = end > 0
            && host[..end]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
        if !valid {
            return None;
        }
        end
    };
    let (domain, port) = host.split_at(domain_end);
    let port = match port.strip_prefix(':') {
        Some(digits) if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => digits,
        None if port.is_empty() => "",
        _ => return None,
    };
    let domain = domain.strip_suffix('.').unwrap_or(domain);
    let domain = if domain.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(domain.to_ascii_lowercase())
    } else {
        Cow::Borrowed(domain)
    };
    Some((domain, port))
}

/// Django's `is_same_domain`: `pattern` is the host itself, or `.domain` matching the domain
/// and its subdomains.
fn is_same_domain(host: &str, pattern: &str) -> bool {
    match pattern.strip_prefix('.') {
        Some(domain) => host == domain || host.ends_with(pattern),
        None => host == pattern,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Django 6.1's `validate_host(split_domain_port(host)[0], patterns)` on each case.
    #[test]
    fn matches_as_django_does() {
        let hosts = AllowedHosts::new(["example.com", ".example.org", "[::1]", "127.0.0.1"]);
        let cases = [
            ("example.com", true),
            ("EXAMPLE.com:8000", true),
            ("example.com.", true),
            ("www.example.com", false),
            ("example.org", true),
            ("a.b.example.org:1", true),
            ("badexample.org", false),
            ("[::1]", true),
            ("[::1]:8000", true),
            ("[::2]", false),
            ("127.0.0.1:8000", true),
            ("127.0.0.1:", false),
            ("127.0.0.1:80a", false),
            ("evil.example", false),
            ("example.com@evil.example", false),
            ("example.com/evil", false),
            ("", false),
            ("exa mple.com", false),
            ("[::1]x", false),
            ("[1:2]", false),
            (".example.org", true),
            ("-.example.org", true),
        ];
        for (host, allowed) in cases {
            assert_eq!(hosts.allows(host), allowed, "{host:?}");
        }
        assert!(AllowedHosts::any().allows("anything.example:1"));
        assert!(!AllowedHosts::any().allows("bad host"));
        assert!(!AllowedHosts::any().allows("."));
        assert!(!AllowedHosts::new(Vec::<String>::new()).allows("localhost"));
    }

    #[test]
    fn the_default_is_the_development_list() {
        let hosts = AllowedHosts::default();
        for host in ["127.0.0.1:8000", "localhost", "[::1]:8000", "testserver"] {
            assert!(hosts.allows(host), "{host}");
        }
        assert!(!hosts.allows("evil.example"));
        assert_eq!(
            AllowedHosts::from_comma_separated(" a.example , .b.example,,").patterns(),
            ["a.example", ".b.example"]
        );
    }
}
