//! Throttling (DRF's `rest_framework.throttling`): rate limits checked after authentication and
//! permissions, before the handler.
//!
//! A throttle decides per request with DRF's sliding-window algorithm: the timestamps of the
//! client's recent requests (its *history*) are kept under a cache key; those older than the
//! rate's duration are dropped; when `num_requests` remain, the request is refused with 429
//! and `Retry-After`, else its timestamp is recorded.
//!
//! | class | cache key | throttles |
//! |---|---|---|
//! | [`AnonRateThrottle`] (scope `anon`) | `throttle_anon_<ident>` | anonymous requests only |
//! | [`UserRateThrottle`] (scope `user`) | `throttle_user_<pk>` (or `<ident>` when anonymous) | every request |
//! | [`ScopedRateThrottle`] | `throttle_<view's throttle_scope>_<pk or ident>` | views with a `throttle_scope` |
//!
//! | [`LoginRateThrottle`] (scopes `login_client`, `login_account`) | `throttle_login_client_<ident>`, `throttle_login_account_<account>` | login views only |
//!
//! `<ident>` is the client address as DRF's `get_ident` computes it ([`client_ident`]).
//! Rates come from [`Settings::default_throttle_rates`](crate::settings::Settings) by scope
//! (DRF's `DEFAULT_THROTTLE_RATES`), or are given to the throttle (`.rate("5/min")`).
//!
//! Histories live in a [`ThrottleStore`] (DRF's cache): [`LocMemThrottleStore`] in the
//! process (the default), or [`DatabaseThrottleStore`] in a table every server process
//! shares, so limits hold across processes behind a load balancer.
//!
//! ```rust
//! # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/doc_support/blog.rs"));
//! use rest_framework::prelude::*;
//! use rest_framework::throttling::{
//!     AnonRateThrottle, DatabaseThrottleStore, ScopedRateThrottle, UserRateThrottle,
//! };
//! use std::sync::Arc;
//! # #[derive(ModelSerializer)]
//! # #[serializer(model = tag::Entity)]
//! # pub struct UploadSerializer {
//! #     #[field(read_only)] pub id: i64,
//! #     pub name: String,
//! # }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let db = rest_framework::sea_orm::Database::connect("sqlite::memory:").await?;
//! let mut settings = Settings::new("not a production secret");
//! // DRF's DEFAULT_THROTTLE_CLASSES and DEFAULT_THROTTLE_RATES:
//! settings.default_throttle_classes = vec![
//!     Arc::new(AnonRateThrottle::new()),
//!     Arc::new(UserRateThrottle::new()),
//! ];
//! for (scope, rate) in [("anon", "100/day"), ("user", "1000/day"), ("uploads", "20/hour")] {
//!     settings.default_throttle_rates.insert(scope.into(), rate.into());
//! }
//! // Share the limits between server processes:
//! let store = DatabaseThrottleStore::new(db.clone());
//! store.create_table().await?;
//! settings.throttle_cache = Arc::new(store);
//! # Ok(())
//! # }
//!
//! // Per viewset (or `ApiView::throttle_classes` / `throttle_scope` on a view):
//! pub struct UploadViewSet;
//!
//! #[viewset(serializer = UploadSerializer,
//!           throttle_classes = [ScopedRateThrottle::new()], throttle_scope = "uploads")]
//! impl ModelViewSet for UploadViewSet {}
//! ```

mod stores;

pub use stores::{
    DatabaseThrottleStore, LocMemThrottleStore, THROTTLE_TABLE, ThrottleStore, Window,
};

use crate::exceptions::{ApiError, ApiResult};
use crate::request::RequestContext;
use crate::views::ApiView;
use std::sync::Arc;

/// A parsed rate: DRF's `"<num_requests>/<period>"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    /// Requests allowed per window.
    pub num_requests: u64,
    /// The window, in seconds.
    pub duration: u64,
}

impl Rate {
    /// Parses DRF's rate syntax: `"5/min"`, `"100/day"`, `"10/s"`. As DRF's `parse_rate`,
    /// only the period's first letter counts (`s`, `m`, `h`, `d`), so `"5/minute"` and
    /// `"5/m"` are the same rate.
    pub fn parse(rate: &str) -> Result<Rate, String> {
        let (num, period) = rate
            .split_once('/')
            .ok_or_else(|| format!("invalid throttle rate {rate:?}: expected \"<n>/<period>\""))?;
        let num_requests = num
            .parse::<u64>()
            .map_err(|_| format!("invalid throttle rate {rate:?}: {num:?} is not a number"))?;
        let duration = match period.chars().next() {
            Some('s') => 1,
            Some('m') => 60,
            Some('h') => 3600,
            Some('d') => 86_400,
            _ => {
                return Err(format!(
                    "invalid throttle rate {rate:?}: the period must start with s, m, h or d"
                ));
            }
        };
        Ok(Rate {
            num_requests,
            duration,
        })
    }
}

/// What a throttle decided about one request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Verdict {
    /// The request may proceed (and was counted).
    Allowed,
    /// The request is refused; `wait` is DRF's `wait()`: the recommended seconds before the
    /// next request, if known.
    Throttled {
        /// Seconds until a request is likely to be allowed.
        wait: Option<f64>,
    },
}

/// A throttle class (DRF's `BaseThrottle`). One instance serves every request, so what DRF
/// keeps on `self` between `allow_request` and `wait()` comes back in the [`Verdict`].
#[async_trait::async_trait]
pub trait Throttle: Send + Sync + 'static {
    /// DRF's `allow_request` (and `wait()` for refusals). `view` is the view being
    /// dispatched (for its `throttle_scope`).
    async fn allow_request(&self, ctx: &RequestContext, view: &dyn ApiView) -> ApiResult<Verdict>;
}

/// The current time in seconds (DRF's `timer`); replaceable in tests.
pub type Timer = Arc<dyn Fn() -> f64 + Send + Sync>;

/// Seconds since the Unix epoch (DRF's `time.time`).
pub fn system_time() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// The client address as DRF's `get_ident`: with `num_proxies` unset, the whole
/// `X-Forwarded-For` without whitespace when present, else `REMOTE_ADDR`; with
/// `num_proxies = 0`, `REMOTE_ADDR`; with `num_proxies = n`, the `n`-th address from the end
/// of `X-Forwarded-For` (the one the outermost trusted proxy saw).
pub fn client_ident(ctx: &RequestContext) -> String {
    let remote_addr = ctx
        .remote_addr()
        .map(|ip| ip.to_string())
        .unwrap_or_default();
    let xff = ctx.header("x-forwarded-for");
    match (ctx.state().settings.num_proxies, xff) {
        (Some(0), _) | (Some(_), None) => remote_addr,
        (Some(num_proxies), Some(xff)) => {
            let addrs: Vec<&str> = xff.split(',').collect();
            let index = addrs.len() - num_proxies.min(addrs.len());
            addrs[index].trim().to_string()
        }
        (None, Some(xff)) if !xff.is_empty() => xff.split_whitespace().collect(),
        (None, _) => remote_addr,
    }
}

/// DRF's `SimpleRateThrottle`: a rate, a cache key per request, and the sliding window in a
/// store. [`AnonRateThrottle`], [`UserRateThrottle`] and [`ScopedRateThrottle`] are this
/// with DRF's keys; a throttle of your own (DRF's subclass with its own `get_cache_key`)
/// computes a key and calls [`SimpleRateThrottle::check`].
#[derive(Clone, Default)]
pub struct SimpleRateThrottle {
    rate: Option<String>,
    store: Option<Arc<dyn ThrottleStore>>,
    timer: Option<Timer>,
}

impl SimpleRateThrottle {
    /// Rates from the settings, the settings' store, the system clock.
    pub fn new() -> Self {
        Self::default()
    }

    /// Enforces `rate` (`"5/min"`) instead of the settings' rate for the scope.
    pub fn rate(mut self, rate: &str) -> Self {
        self.rate = Some(rate.to_string());
        self
    }

    /// Keeps histories in `store` instead of the settings' `throttle_cache`.
    pub fn store(mut self, store: Arc<dyn ThrottleStore>) -> Self {
        self.store = Some(store);
        self
    }

    /// Reads the time from `timer` (seconds) instead of the system clock (DRF's `timer`).
    pub fn timer(mut self, timer: Timer) -> Self {
        self.timer = Some(timer);
        self
    }

    /// The rate this throttle enforces for `scope`: its own, else the settings' rate of the
    /// scope. A scope without a rate, or a malformed rate, is a configuration error (DRF's
    /// `ImproperlyConfigured`): 500, logged.
    pub fn rate_for(&self, ctx: &RequestContext, scope: &str) -> ApiResult<Rate> {
        let configured = ctx.state().settings.default_throttle_rates.get(scope);
        let text = self.rate.as_deref().or(configured.map(String::as_str));
        let text = text.ok_or_else(|| {
            ApiError::Internal(format!("no default throttle rate set for {scope:?} scope"))
        })?;
        Rate::parse(text).map_err(ApiError::Internal)
    }

    /// The sliding window of DRF's `allow_request` for `key`, and `wait()` when refused.
    pub async fn check(&self, ctx: &RequestContext, key: &str, rate: Rate) -> ApiResult<Verdict> {
        let now = match &self.timer {
            Some(timer) => timer(),
            None => system_time(),
        };
        let store = self
            .store
            .clone()
            .unwrap_or_else(|| ctx.state().settings.throttle_cache.clone());
        let window = store.hit(key, now, rate).await?;
        if window.allowed {
            return Ok(Verdict::Allowed);
        }
        Ok(Verdict::Throttled {
            wait: wait(rate, now, &window),
        })
    }
}

/// DRF's `SimpleRateThrottle.wait()`: the time until the oldest request in the window leaves
/// it, shared among the requests still available.
pub fn wait(rate: Rate, now: f64, window: &Window) -> Option<f64> {
    let remaining = match window.oldest {
        Some(oldest) => rate.duration as f64 - (now - oldest),
        None => rate.duration as f64,
    };
    let available = rate.num_requests as i64 - window.count as i64 + 1;
    (available > 0).then(|| remaining / available as f64)
}

macro_rules! throttle_builders {
    ($($name:ident),*) => {$(
        impl $name {
            /// Enforces `rate` (`"5/min"`) instead of the settings' rate for the scope.
            pub fn rate(mut self, rate: &str) -> Self {
                self.0 = self.0.rate(rate);
                self
            }

            /// Keeps histories in `store` instead of the settings' `throttle_cache`.
            pub fn store(mut self, store: Arc<dyn ThrottleStore>) -> Self {
                self.0 = self.0.store(store);
                self
            }

            /// Reads the time from `timer` (seconds) instead of the system clock.
            pub fn timer(mut self, timer: Timer) -> Self {
                self.0 = self.0.timer(timer);
                self
            }
        }
    )*};
}

/// DRF's `AnonRateThrottle`: limits anonymous requests per client address
/// (`throttle_anon_<ident>`, rate of the `anon` scope); authenticated requests pass.
#[derive(Clone)]
pub struct AnonRateThrottle(SimpleRateThrottle);

/// DRF's `UserRateThrottle`: limits each user (`throttle_user_<pk>`), and anonymous clients
/// per address (`throttle_user_<ident>`); rate of the `user` scope.
#[derive(Clone)]
pub struct UserRateThrottle(SimpleRateThrottle);

/// DRF's `ScopedRateThrottle`: limits views that set a `throttle_scope`, per scope and per
/// user (or client address): `throttle_<scope>_<pk or ident>`, rate of that scope. Views
/// without a scope pass.
#[derive(Clone)]
pub struct ScopedRateThrottle(SimpleRateThrottle);

throttle_builders!(AnonRateThrottle, UserRateThrottle, ScopedRateThrottle);

impl AnonRateThrottle {
    /// The `anon` scope's throttle.
    pub fn new() -> Self {
        AnonRateThrottle(SimpleRateThrottle::new())
    }
}

impl UserRateThrottle {
    /// The `user` scope's throttle.
    pub fn new() -> Self {
        UserRateThrottle(SimpleRateThrottle::new())
    }
}

impl ScopedRateThrottle {
    /// The throttle of each view's `throttle_scope`.
    pub fn new() -> Self {
        ScopedRateThrottle(SimpleRateThrottle::new())
    }
}

impl Default for AnonRateThrottle {
    fn default() -> Self {
        Self::new()
    }
}

impl Default for UserRateThrottle {
    fn default() -> Self {
        Self::new()
    }
}

impl Default for ScopedRateThrottle {
    fn default() -> Self {
        Self::new()
    }
}

/// `throttle_<scope>_<ident>`: DRF's `cache_format`.
pub fn cache_key(scope: &str, ident: &str) -> String {
    format!("throttle_{scope}_{ident}")
}

/// The user's primary key, or the client address when anonymous.
fn user_or_ident(ctx: &RequestContext) -> String {
    match ctx.user() {
        Some(user) => user.id.to_string(),
        None => client_ident(ctx),
    }
}

#[async_trait::async_trait]
impl Throttle for AnonRateThrottle {
    async fn allow_request(&self, ctx: &RequestContext, _view: &dyn ApiView) -> ApiResult<Verdict> {
        if ctx.user().is_some() {
            return Ok(Verdict::Allowed);
        }
        let rate = self.0.rate_for(ctx, "anon")?;
        let key = cache_key("anon", &client_ident(ctx));
        self.0.check(ctx, &key, rate).await
    }
}

#[async_trait::async_trait]
impl Throttle for UserRateThrottle {
    async fn allow_request(&self, ctx: &RequestContext, _view: &dyn ApiView) -> ApiResult<Verdict> {
        let rate = self.0.rate_for(ctx, "user")?;
        let key = cache_key("user", &user_or_ident(ctx));
        self.0.check(ctx, &key, rate).await
    }
}

#[async_trait::async_trait]
impl Throttle for ScopedRateThrottle {
    async fn allow_request(&self, ctx: &RequestContext, view: &dyn ApiView) -> ApiResult<Verdict> {
        let Some(scope) = view.throttle_scope().filter(|scope| !scope.is_empty()) else {
            return Ok(Verdict::Allowed);
        };
        let rate = self.0.rate_for(ctx, &scope)?;
        let key = cache_key(&scope, &user_or_ident(ctx));
        self.0.check(ctx, &key, rate).await
    }
}

/// DRF's `check_throttles`: asks every throttle (each counts the request it allows); when any
/// refuses, 429 with the longest of their waits, rounded up (`Retry-After`).
pub async fn check_throttles(view: &dyn ApiView, ctx: &RequestContext) -> ApiResult<()> {
    // The view's own classes, else the settings' (borrowed: no copy per request).
    let own = view.throttle_classes();
    let throttles = own
        .as_deref()
        .unwrap_or(&ctx.state().settings.default_throttle_classes);
    let mut refused = false;
    let mut longest: Option<f64> = None;
    for throttle in throttles {
        if let Verdict::Throttled { wait } = throttle.allow_request(ctx, view).await? {
            refused = true;
            longest = match (longest, wait) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            };
        }
    }
    if refused {
        // DRF's `Throttled(wait)`: `math.ceil(wait)`; a negative wait (clock skew between
        // processes) is reported as 0.
        return Err(ApiError::Throttled(
            longest.map(|w| w.ceil().max(0.0) as u64),
        ));
    }
    Ok(())
}

/// Login brute-force protection (what django-axes adds to a Django project; DRF leaves it to
/// the project): on the views that check a password ([`ApiView::is_login_view`]: simplejwt's
/// token views, DRF's `obtain_auth_token`, dj-rest-auth's login), attempts are limited per
/// client address (`login_client` rate, default [`LoginRateThrottle::DEFAULT_CLIENT_RATE`])
/// and per account named in the body (`username` or `email`, case-insensitive;
/// `login_account` rate, default [`LoginRateThrottle::DEFAULT_ACCOUNT_RATE`]). Past either,
/// the view answers DRF's 429 before any password is hashed, so a guessing client neither
/// tries more passwords nor costs the server more hashing. Every other view passes.
///
/// ```
/// use rest_framework::settings::Settings;
/// use rest_framework::throttling::LoginRateThrottle;
/// use std::sync::Arc;
///
/// let mut settings = Settings::new(b"secret".to_vec());
/// settings.default_throttle_classes.push(Arc::new(LoginRateThrottle::new()));
/// // Optional, DRF-style rates for its two scopes:
/// settings.default_throttle_rates.insert("login_account".into(), "3/min".into());
/// // Or on the throttle itself:
/// let strict = LoginRateThrottle::new().account_rate("3/min").client_rate("10/min");
/// # let _ = strict;
/// ```
#[derive(Clone, Default)]
pub struct LoginRateThrottle {
    client: SimpleRateThrottle,
    account: SimpleRateThrottle,
}

impl LoginRateThrottle {
    /// Attempts per client address when the `login_client` scope has no rate.
    pub const DEFAULT_CLIENT_RATE: &'static str = "20/min";
    /// Attempts per account when the `login_account` scope has no rate.
    pub const DEFAULT_ACCOUNT_RATE: &'static str = "5/min";

    /// Rates from the settings (or the defaults), the settings' store, the system clock.
    pub fn new() -> Self {
        Self::default()
    }

    /// Attempts allowed per client address (`"20/min"`).
    pub fn client_rate(mut self, rate: &str) -> Self {
        self.client = self.client.rate(rate);
        self
    }

    /// Attempts allowed per account (`"5/min"`).
    pub fn account_rate(mut self, rate: &str) -> Self {
        self.account = self.account.rate(rate);
        self
    }

    /// Keeps histories in `store` instead of the settings' `throttle_cache`.
    pub fn store(mut self, store: Arc<dyn ThrottleStore>) -> Self {
        self.client = self.client.store(store.clone());
        self.account = self.account.store(store);
        self
    }

    /// Reads the time from `timer` (seconds) instead of the system clock.
    pub fn timer(mut self, timer: Timer) -> Self {
        self.client = self.client.timer(timer.clone());
        self.account = self.account.timer(timer);
        self
    }

    /// The rate of `scope`: this throttle's own, the settings' for the scope, or `default`.
    fn rate(
        throttle: &SimpleRateThrottle,
        ctx: &RequestContext,
        scope: &str,
        default: &str,
    ) -> ApiResult<Rate> {
        if throttle.rate.is_none()
            && !ctx
                .state()
                .settings
                .default_throttle_rates
                .contains_key(scope)
        {
            return Rate::parse(default).map_err(ApiError::Internal);
        }
        throttle.rate_for(ctx, scope)
    }
}

/// The account a login request names: its `username` or else `email` field, trimmed and
/// lower-cased (a digest when longer than any e-mail address, so keys stay short); `None`
/// when the body has neither (or cannot be read).
fn login_account(ctx: &RequestContext) -> Option<String> {
    use sha2::Digest;
    let data = ctx.data().ok()?;
    let account = ["username", "email"].iter().find_map(|field| {
        let value = data.get(*field)?.as_str()?.trim();
        (!value.is_empty()).then(|| value.to_lowercase())
    })?;
    if account.len() <= 254 {
        return Some(account);
    }
    let digest = sha2::Sha256::digest(account.as_bytes());
    Some(digest.iter().map(|b| format!("{b:02x}")).collect())
}

#[async_trait::async_trait]
impl Throttle for LoginRateThrottle {
    async fn allow_request(&self, ctx: &RequestContext, view: &dyn ApiView) -> ApiResult<Verdict> {
        if !view.is_login_view() {
            return Ok(Verdict::Allowed);
        }
        let rate = Self::rate(&self.client, ctx, "login_client", Self::DEFAULT_CLIENT_RATE)?;
        let key = cache_key("login_client", &client_ident(ctx));
        let verdict = self.client.check(ctx, &key, rate).await?;
        if verdict != Verdict::Allowed {
            return Ok(verdict);
        }
        let Some(account) = login_account(ctx) else {
            return Ok(Verdict::Allowed);
        };
        let rate = Self::rate(
            &self.account,
            ctx,
            "login_account",
            Self::DEFAULT_ACCOUNT_RATE,
        )?;
        self.account
            .check(ctx, &cache_key("login_account", &account), rate)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_drf_rates() {
        let rate = |n, d| Rate {
            num_requests: n,
            duration: d,
        };
        assert_eq!(Rate::parse("5/min"), Ok(rate(5, 60)));
        assert_eq!(Rate::parse("5/m"), Ok(rate(5, 60)));
        assert_eq!(Rate::parse("5/minute"), Ok(rate(5, 60)));
        assert_eq!(Rate::parse("100/day"), Ok(rate(100, 86_400)));
        assert_eq!(Rate::parse("10/s"), Ok(rate(10, 1)));
        assert_eq!(Rate::parse("10/sec"), Ok(rate(10, 1)));
        assert_eq!(Rate::parse("3/hour"), Ok(rate(3, 3600)));
        assert_eq!(Rate::parse("0/d"), Ok(rate(0, 86_400)));
        assert!(Rate::parse("5").is_err());
        assert!(Rate::parse("x/min").is_err());
        assert!(Rate::parse("5/year").is_err());
        assert!(Rate::parse("5/").is_err());
    }

    #[test]
    fn wait_is_drfs() {
        let rate = Rate {
            num_requests: 3,
            duration: 60,
        };
        let full = Window {
            allowed: false,
            count: 3,
            oldest: Some(1000.0),
        };
        assert_eq!(wait(rate, 1010.0, &full), Some(50.0));
        let empty = Window {
            allowed: false,
            count: 0,
            oldest: None,
        };
        // A zero rate refuses every request; the wait is the whole duration.
        let zero = Rate {
            num_requests: 0,
            duration: 60,
        };
        assert_eq!(wait(zero, 1000.0, &empty), Some(60.0));
        let over = Window {
            allowed: false,
            count: 5,
            oldest: Some(1000.0),
        };
        assert_eq!(wait(rate, 1010.0, &over), None);
    }
}
