//! Throttling over HTTP (DRF's `throttling.py`): a small application built with the
//! framework's public API only (the blog's reference has no throttling), served by the
//! harness. Each app reads time from its own clock, so waits and bodies are exact.

use integration_tests::{AppEndpoint, TestServer, json, sign_token};
use rest_framework::contrib::auth::{RequestUser, UserStore};
use rest_framework::exceptions::ApiResult;
use rest_framework::poem::EndpointExt;
use rest_framework::poem::http::Method;
use rest_framework::request::RequestContext;
use rest_framework::response::Response;
use rest_framework::sea_orm::{self, ConnectionTrait, DatabaseConnection, DbErr, Schema};
use rest_framework::settings::{AppState, Settings};
use rest_framework::throttling::{
    AnonRateThrottle, DatabaseThrottleStore, LocMemThrottleStore, ScopedRateThrottle, Throttle,
    ThrottleStore, Timer, UserRateThrottle,
};
use rest_framework::urls::UrlPatterns;
use rest_framework::views::ApiView;
use rest_framework::viewsets::ReadOnlyModelViewSet;
use rest_framework::{ModelSerializer, routers::DefaultRouter, viewset};
use std::sync::{Arc, Mutex};

// ---------------------------------------------------------------------------------------------
// The test application

/// A settable clock (DRF's tests replace `SimpleRateThrottle.timer` the same way).
#[derive(Clone)]
struct Clock(Arc<Mutex<f64>>);

impl Clock {
    fn at(now: f64) -> Clock {
        Clock(Arc::new(Mutex::new(now)))
    }
    fn set(&self, now: f64) {
        *self.0.lock().unwrap() = now;
    }
    fn timer(&self) -> Timer {
        let now = self.0.clone();
        Arc::new(move || *now.lock().unwrap())
    }
}

/// `GET`/`POST` → 200 `{"ok":true}`, behind the given throttles and scope.
struct Ping {
    throttles: Option<Vec<Arc<dyn Throttle>>>,
    scope: Option<&'static str>,
    methods: Vec<Method>,
}

impl Ping {
    fn with(throttles: Vec<Arc<dyn Throttle>>) -> Ping {
        Ping {
            throttles: Some(throttles),
            scope: None,
            methods: vec![Method::GET, Method::POST],
        }
    }
    /// The settings' default throttle classes.
    fn defaults() -> Ping {
        Ping {
            throttles: None,
            scope: None,
            methods: vec![Method::GET],
        }
    }
    fn scope(mut self, scope: &'static str) -> Ping {
        self.scope = Some(scope);
        self
    }
}

#[rest_framework::async_trait]
impl ApiView for Ping {
    fn methods(&self) -> Vec<Method> {
        self.methods.clone()
    }
    fn throttle_classes(&self) -> Option<Vec<Arc<dyn Throttle>>> {
        self.throttles.clone()
    }
    fn throttle_scope(&self) -> Option<String> {
        self.scope.map(str::to_string)
    }
    async fn handle(&self, _ctx: &mut RequestContext) -> ApiResult<Response> {
        Ok(Response::ok(&json!({"ok": true})))
    }
}

/// Users 7 and 8 exist (JWT authentication loads them by id).
struct TwoUsers;

#[rest_framework::async_trait]
impl UserStore for TwoUsers {
    fn username_field(&self) -> &'static str {
        "email"
    }
    async fn get_by_id(
        &self,
        _db: &DatabaseConnection,
        id: i64,
    ) -> Result<Option<RequestUser>, DbErr> {
        Ok([7, 8].contains(&id).then(|| RequestUser {
            id,
            username: format!("user{id}@example.com"),
            is_active: true,
            is_staff: false,
            is_superuser: false,
        }))
    }
    async fn get_by_username(
        &self,
        _db: &DatabaseConnection,
        _username: &str,
    ) -> Result<Option<(RequestUser, String)>, DbErr> {
        Ok(None)
    }
}

/// Which store the app's throttles use.
#[derive(Clone, Copy, Debug)]
enum StoreKind {
    LocMem,
    Database,
}

/// An item table for the `#[viewset(throttle_classes, throttle_scope)]` routes.
mod item {
    use rest_framework::sea_orm;
    use rest_framework::sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "item")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub name: String,
    }
    impl ActiveModelBehavior for ActiveModel {}
}

impl rest_framework::models::ModelMeta for item::Entity {
    const NAME: &'static str = "Item";
}

#[derive(ModelSerializer)]
#[serializer(model = item::Entity)]
pub struct ItemSerializer {
    #[field(read_only)]
    pub id: i64,
    pub name: String,
}

/// `/items/`: scope `items` (1/min in the settings), system clock.
pub struct ItemViewSet;

#[viewset(
    serializer = ItemSerializer,
    throttle_classes = [ScopedRateThrottle::new()],
    throttle_scope = "items",
)]
impl ReadOnlyModelViewSet for ItemViewSet {}

/// The test application: routes with DRF's throttles at known rates, `num_proxies` as
/// given, histories in `store`, time from `clock`.
async fn app(
    db: DatabaseConnection,
    store: StoreKind,
    num_proxies: Option<usize>,
    clock: &Clock,
) -> AppEndpoint {
    let timer = clock.timer();
    let store: Arc<dyn ThrottleStore> = match store {
        StoreKind::LocMem => Arc::new(LocMemThrottleStore::default()),
        StoreKind::Database => {
            let store = DatabaseThrottleStore::new(db.clone());
            store
                .create_table()
                .await
                .expect("creating the throttle table");
            Arc::new(store)
        }
    };
    let schema = Schema::new(db.get_database_backend());
    db.execute(
        &schema
            .create_table_from_entity(item::Entity)
            .if_not_exists()
            .to_owned(),
    )
    .await
    .expect("creating the item table");

    let mut settings = Settings::new(example_blog::config::DEV_SECRET_KEY.as_bytes().to_vec());
    settings.default_authentication_classes = vec![Arc::new(
        rest_framework::contrib::simplejwt::JwtAuthentication,
    )];
    settings.throttle_cache = store;
    settings.num_proxies = num_proxies;
    settings.default_throttle_classes =
        vec![Arc::new(AnonRateThrottle::new().timer(timer.clone()))];
    for (scope, rate) in [
        ("anon", "3/min"),
        ("user", "2/min"),
        ("uploads", "2/hour"),
        ("searches", "5/hour"),
        ("burst", "2/s"),
        ("items", "1/min"),
    ] {
        settings
            .default_throttle_rates
            .insert(scope.into(), rate.into());
    }
    let anon = || Arc::new(AnonRateThrottle::new().timer(timer.clone())) as Arc<dyn Throttle>;
    let user = || Arc::new(UserRateThrottle::new().timer(timer.clone())) as Arc<dyn Throttle>;
    let scoped = || Arc::new(ScopedRateThrottle::new().timer(timer.clone())) as Arc<dyn Throttle>;
    let urls = UrlPatterns::new()
        .path("/default/", Ping::defaults())
        .path("/anon/", Ping::with(vec![anon()]))
        .path("/user/", Ping::with(vec![user()]))
        .path("/uploads/a/", Ping::with(vec![scoped()]).scope("uploads"))
        .path("/uploads/b/", Ping::with(vec![scoped()]).scope("uploads"))
        .path("/searches/", Ping::with(vec![scoped()]).scope("searches"))
        .path("/unscoped/", Ping::with(vec![scoped()]))
        .path("/burst/", Ping::with(vec![scoped(), anon()]).scope("burst"))
        .path(
            "/own-rate/",
            Ping::with(vec![Arc::new(
                AnonRateThrottle::new().rate("1/day").timer(timer.clone()),
            )]),
        )
        .path("/none/", Ping::with(vec![]))
        .include("/", DefaultRouter::new().register("items", ItemViewSet));
    let state = AppState::with_user_store(db, settings, Arc::new(TwoUsers));
    urls.into_endpoint(state).boxed()
}

async fn start(store: StoreKind, clock: &Clock) -> TestServer {
    start_with_proxies(store, None, clock).await
}

async fn start_with_proxies(
    store: StoreKind,
    num_proxies: Option<usize>,
    clock: &Clock,
) -> TestServer {
    let clock = clock.clone();
    TestServer::start_app(async move |db| app(db, store, num_proxies, &clock).await).await
}

/// An access token of user `id` (simplejwt's claims, the app's key).
fn token(id: i64) -> String {
    let now = chrono::Utc::now().timestamp();
    sign_token(
        &json!({"token_type": "access", "exp": now + 300, "iat": now,
                "jti": "0123456789abcdef0123456789abcdef", "user_id": id.to_string()}),
        example_blog::config::DEV_SECRET_KEY.as_bytes(),
    )
}

/// The `throttle_history` keys, sorted (database store only).
async fn stored_keys(s: &TestServer) -> Vec<String> {
    let rows =
        s.db.query_all_raw(sea_orm::Statement::from_string(
            s.db.get_database_backend(),
            "SELECT DISTINCT cache_key FROM throttle_history ORDER BY cache_key",
        ))
        .await
        .expect("reading throttle_history");
    rows.iter()
        .map(|row| row.try_get::<String>("", "cache_key").unwrap())
        .collect()
}

async fn get_ok(s: &TestServer, path: &str, token: Option<&str>) {
    s.get(path, token)
        .await
        .assert_json(200, &json!({"ok": true}));
}

/// 429 with DRF's body, `Retry-After`, and the view's usual headers.
fn assert_throttled(r: &integration_tests::Response, wait: u64, allow: &str) {
    let unit = if wait == 1 { "second" } else { "seconds" };
    r.assert_detail(
        429,
        &format!("Request was throttled. Expected available in {wait} {unit}."),
    )
    .assert_header("retry-after", &wait.to_string())
    .assert_json_content_type()
    .assert_header("allow", allow)
    .assert_header("vary", "Accept");
}

const GET_POST: &str = "GET, POST, HEAD, OPTIONS";
const GET_ONLY: &str = "GET, HEAD, OPTIONS";
const STORES: [StoreKind; 2] = [StoreKind::LocMem, StoreKind::Database];

// ---------------------------------------------------------------------------------------------
// AnonRateThrottle, the sliding window, 429

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anon_rate_429_with_retry_after_and_drf_body_in_both_stores() {
    for store in STORES {
        let clock = Clock::at(1000.0);
        let s = start(store, &clock).await;
        for _ in 0..3 {
            get_ok(&s, "/anon/", None).await;
        }
        clock.set(1010.0);
        assert_throttled(&s.get("/anon/", None).await, 50, GET_POST);
        // Throttles run before the method check (DRF's `initial()`), and POST counts too.
        assert_throttled(&s.request("DELETE", "/anon/").send().await, 50, GET_POST);
        // 60 - 59.5 = 0.5 s, rounded up: DRF's singular.
        clock.set(1059.5);
        assert_throttled(&s.get("/anon/", None).await, 1, GET_POST);
        // At 1060 the three requests of 1000 leave the window (`<= now - duration`).
        clock.set(1060.0);
        get_ok(&s, "/anon/", None).await;
        clock.set(1070.0);
        get_ok(&s, "/anon/", None).await;
        s.request("POST", "/anon/").send().await.assert_status(200);
        // Window: 1060, 1070, 1070; the oldest leaves at 1120.
        clock.set(1080.0);
        assert_throttled(&s.get("/anon/", None).await, 40, GET_POST);
        clock.set(1120.0);
        get_ok(&s, "/anon/", None).await;
        if let StoreKind::Database = store {
            assert_eq!(
                stored_keys(&s).await,
                ["throttle_anon_127.0.0.1"],
                "{store:?}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_requests_are_not_counted() {
    for store in STORES {
        let clock = Clock::at(1000.0);
        let s = start(store, &clock).await;
        for _ in 0..3 {
            get_ok(&s, "/anon/", None).await;
        }
        clock.set(1030.0);
        for _ in 0..10 {
            s.get("/anon/", None).await.assert_status(429);
        }
        // Only the three allowed requests are in the window: all leave it at 1060.
        clock.set(1060.0);
        for _ in 0..3 {
            get_ok(&s, "/anon/", None).await;
        }
        s.get("/anon/", None).await.assert_status(429);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn default_throttle_classes_and_rates_come_from_the_settings() {
    let clock = Clock::at(5000.0);
    let s = start(StoreKind::LocMem, &clock).await;
    for _ in 0..3 {
        get_ok(&s, "/default/", None).await;
    }
    clock.set(5001.0);
    assert_throttled(&s.get("/default/", None).await, 59, GET_ONLY);
    // A view with `throttle_classes = []` is never throttled.
    for _ in 0..20 {
        get_ok(&s, "/none/", None).await;
    }
    // A throttle's own rate wins over the settings: 1/day. (Another client: every
    // AnonRateThrottle shares the key `throttle_anon_<ident>`, as in DRF.)
    let other = || {
        s.request("GET", "/own-rate/")
            .header("X-Forwarded-For", "9.9.9.9")
    };
    other().send().await.assert_json(200, &json!({"ok": true}));
    assert_throttled(&other().send().await, 86_400, GET_POST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anon_throttle_lets_authenticated_requests_through() {
    let clock = Clock::at(1000.0);
    let s = start(StoreKind::Database, &clock).await;
    let seven = token(7);
    for _ in 0..10 {
        get_ok(&s, "/anon/", Some(&seven)).await;
    }
    assert!(stored_keys(&s).await.is_empty());
    for _ in 0..3 {
        get_ok(&s, "/anon/", None).await;
    }
    s.get("/anon/", None).await.assert_status(429);
    get_ok(&s, "/anon/", Some(&seven)).await;
}

// ---------------------------------------------------------------------------------------------
// UserRateThrottle, ScopedRateThrottle

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_rate_is_per_user_and_per_address_for_anonymous() {
    for store in STORES {
        let clock = Clock::at(2000.0);
        let s = start(store, &clock).await;
        let (seven, eight) = (token(7), token(8));
        get_ok(&s, "/user/", Some(&seven)).await;
        get_ok(&s, "/user/", Some(&seven)).await;
        clock.set(2015.0);
        assert_throttled(&s.get("/user/", Some(&seven)).await, 45, GET_POST);
        get_ok(&s, "/user/", Some(&eight)).await;
        get_ok(&s, "/user/", None).await;
        get_ok(&s, "/user/", None).await;
        assert_throttled(&s.get("/user/", None).await, 60, GET_POST);
        if let StoreKind::Database = store {
            assert_eq!(
                stored_keys(&s).await,
                [
                    "throttle_user_127.0.0.1",
                    "throttle_user_7",
                    "throttle_user_8"
                ]
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scoped_rate_is_shared_by_the_views_of_a_scope() {
    for store in STORES {
        let clock = Clock::at(3000.0);
        let s = start(store, &clock).await;
        let seven = token(7);
        get_ok(&s, "/uploads/a/", Some(&seven)).await;
        get_ok(&s, "/uploads/b/", Some(&seven)).await;
        clock.set(3600.0);
        // 2/hour: 3600 - 600 s.
        assert_throttled(&s.get("/uploads/a/", Some(&seven)).await, 3000, GET_POST);
        assert_throttled(&s.get("/uploads/b/", Some(&seven)).await, 3000, GET_POST);
        // Another scope, another user, anonymous clients: their own windows.
        get_ok(&s, "/searches/", Some(&seven)).await;
        get_ok(&s, "/uploads/a/", Some(&token(8))).await;
        get_ok(&s, "/uploads/a/", None).await;
        // A view without a scope is not throttled by ScopedRateThrottle.
        for _ in 0..10 {
            get_ok(&s, "/unscoped/", Some(&seven)).await;
        }
        if let StoreKind::Database = store {
            assert_eq!(
                stored_keys(&s).await,
                [
                    "throttle_searches_7",
                    "throttle_uploads_127.0.0.1",
                    "throttle_uploads_7",
                    "throttle_uploads_8"
                ]
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_throttle_is_checked_and_the_longest_wait_reported() {
    for store in STORES {
        // `/burst/`: ScopedRateThrottle (burst, 2/s), then AnonRateThrottle (3/min).
        let clock = Clock::at(1000.0);
        let s = start(store, &clock).await;
        get_ok(&s, "/burst/", None).await;
        get_ok(&s, "/burst/", None).await;
        // The scoped throttle refuses (0.5 s left); the anon throttle is still asked and
        // counts the request: DRF checks every throttle.
        clock.set(1000.5);
        assert_throttled(&s.get("/burst/", None).await, 1, GET_POST);
        // Now the burst window is free again but anon has 3 requests: 59 s.
        clock.set(1001.0);
        assert_throttled(&s.get("/burst/", None).await, 59, GET_POST);
        // The burst window holds 1001.0 only: burst allows (and counts), anon refuses.
        clock.set(1001.25);
        assert_throttled(&s.get("/burst/", None).await, 59, GET_POST);
        // Both refuse: the longer wait wins (anon's 58.75 s over burst's 0.75 s).
        assert_throttled(&s.get("/burst/", None).await, 59, GET_POST);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn viewset_throttle_classes_and_scope_from_the_macro() {
    let clock = Clock::at(0.0);
    let s = start(StoreKind::LocMem, &clock).await;
    s.get("/items/", None).await.assert_status(200);
    // The list and detail routes share the scope `items` (1/min, system clock).
    let r = s.get("/items/1/", None).await;
    let wait: u64 = r
        .header("retry-after")
        .and_then(|w| w.parse().ok())
        .unwrap_or_else(|| panic!("no numeric Retry-After\n{}", r.describe()));
    assert!((55..=60).contains(&wait), "{}", r.describe());
    assert_throttled(&r, wait, GET_ONLY);
}

// ---------------------------------------------------------------------------------------------
// The client address (DRF's get_ident and NUM_PROXIES)

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_ident_follows_drf_get_ident() {
    let xff = "10.0.0.1, 10.0.0.2,10.0.0.3";
    for (num_proxies, expected) in [
        (None, "throttle_anon_10.0.0.1,10.0.0.2,10.0.0.3"),
        (Some(0), "throttle_anon_127.0.0.1"),
        (Some(1), "throttle_anon_10.0.0.3"),
        (Some(2), "throttle_anon_10.0.0.2"),
        (Some(9), "throttle_anon_10.0.0.1"),
    ] {
        let clock = Clock::at(1000.0);
        let s = start_with_proxies(StoreKind::Database, num_proxies, &clock).await;
        s.request("GET", "/anon/")
            .header("X-Forwarded-For", xff)
            .send()
            .await
            .assert_status(200);
        assert_eq!(
            stored_keys(&s).await,
            [expected],
            "NUM_PROXIES={num_proxies:?}"
        );
    }
    // Without the header: REMOTE_ADDR, whatever NUM_PROXIES says.
    let clock = Clock::at(1000.0);
    let s = start_with_proxies(StoreKind::Database, Some(1), &clock).await;
    get_ok(&s, "/anon/", None).await;
    assert_eq!(stored_keys(&s).await, ["throttle_anon_127.0.0.1"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_behind_a_proxy_have_separate_limits() {
    let clock = Clock::at(1000.0);
    let s = start(StoreKind::LocMem, &clock).await;
    let from = |ip: &'static str| s.request("GET", "/anon/").header("X-Forwarded-For", ip);
    for _ in 0..3 {
        from("1.1.1.1").send().await.assert_status(200);
    }
    from("1.1.1.1").send().await.assert_status(429);
    from("2.2.2.2").send().await.assert_status(200);
}

// ---------------------------------------------------------------------------------------------
// Several processes

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_app_instances_on_one_database_share_the_limit() {
    let clock = Clock::at(1000.0);
    let a = start(StoreKind::Database, &clock).await;
    let clock_b = clock.clone();
    let b = a
        .start_app_sharing_database(async move |db| {
            app(db, StoreKind::Database, None, &clock_b).await
        })
        .await;
    get_ok(&a, "/anon/", None).await;
    get_ok(&b, "/anon/", None).await;
    get_ok(&a, "/anon/", None).await;
    clock.set(1020.0);
    assert_throttled(&b.get("/anon/", None).await, 40, GET_POST);
    assert_throttled(&a.get("/anon/", None).await, 40, GET_POST);

    // The same two instances with in-process stores count separately: 3 each.
    let clock = Clock::at(1000.0);
    let a = start(StoreKind::LocMem, &clock).await;
    let clock_b = clock.clone();
    let b = a
        .start_app_sharing_database(async move |db| {
            app(db, StoreKind::LocMem, None, &clock_b).await
        })
        .await;
    for _ in 0..3 {
        get_ok(&a, "/anon/", None).await;
        get_ok(&b, "/anon/", None).await;
    }
    a.get("/anon/", None).await.assert_status(429);
    b.get("/anon/", None).await.assert_status(429);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_never_exceed_the_database_limit() {
    let clock = Clock::at(1000.0);
    let a = start(StoreKind::Database, &clock).await;
    let clock_b = clock.clone();
    let b = a
        .start_app_sharing_database(async move |db| {
            app(db, StoreKind::Database, None, &clock_b).await
        })
        .await;
    let mut requests = tokio::task::JoinSet::new();
    for i in 0..12 {
        let url = if i % 2 == 0 {
            a.url("/anon/")
        } else {
            b.url("/anon/")
        };
        requests.spawn(async move { reqwest::get(url).await.map(|r| r.status().as_u16()) });
    }
    let statuses: Vec<u16> = requests
        .join_all()
        .await
        .into_iter()
        .map(|r| r.expect("request failed"))
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        3,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        9,
        "{statuses:?}"
    );
}
