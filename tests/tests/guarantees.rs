//! Guarantees the blog keeps beyond wire compatibility:
//!
//! - password hashing (Argon2id, slow on purpose) never stalls other requests: with 8 logins
//!   in flight, reads of the API root stay fast;
//! - no user-facing endpoint ever sends a password hash.

use integration_tests::{Response, TestServer, json};
use std::time::{Duration, Instant};

const EMAIL: &str = "latency@example.com";
const PASSWORD: &str = "password123!";

/// Logins sent at once in each round.
const PARALLEL_LOGINS: usize = 8;
/// Rounds of parallel logins.
const ROUNDS: usize = 3;
/// The pause between two reads.
const READ_INTERVAL: Duration = Duration::from_millis(5);
/// The slowest read allowed while the logins hash.
const MAX_READ: Duration = Duration::from_millis(60);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_stay_fast_while_logins_hash_passwords() {
    let s = TestServer::start().await;
    if s.is_reference() {
        return; // a property of this server, not of the wire format
    }
    s.create_user(EMAIL, PASSWORD).await;
    let client = reqwest::Client::new();
    let (root, token) = (s.url("/api/"), s.url("/api/token/"));
    // Warm the connection pool and the code paths.
    s.get("/api/", None).await.assert_status(200);
    s.token(EMAIL, PASSWORD).await;

    let mut reads = Vec::new();
    let mut login_time = Duration::ZERO;
    for _ in 0..ROUNDS {
        let started = Instant::now();
        let mut logins = tokio::task::JoinSet::new();
        for _ in 0..PARALLEL_LOGINS {
            let (client, token) = (client.clone(), token.clone());
            logins.spawn(async move {
                let r = client
                    .post(token)
                    .json(&json!({"email": EMAIL, "password": PASSWORD}))
                    .send()
                    .await
                    .expect("login request");
                r.status().as_u16()
            });
        }
        // Read the API root every few milliseconds until every login has answered (as a
        // browser polling the API would).
        let mut round_reads = Vec::new();
        while !logins.is_empty() {
            tokio::time::sleep(READ_INTERVAL).await;
            let start = Instant::now();
            let r = client.get(&root).send().await.expect("read request");
            assert_eq!(r.status(), 200);
            r.bytes().await.expect("read body");
            round_reads.push(start.elapsed());
            while let Some(login) = logins.try_join_next() {
                assert_eq!(login.expect("login task"), 200, "a login failed");
            }
        }
        login_time += started.elapsed();
        // The reads overlapped the hashing: the logins took many reads' time.
        assert!(
            round_reads.len() >= 5,
            "only {} reads while {PARALLEL_LOGINS} logins ran ({:?}): hashing is not what is slow",
            round_reads.len(),
            started.elapsed()
        );
        reads.extend(round_reads);
    }
    let slowest = reads.iter().max().copied().unwrap_or_default();
    eprintln!(
        "{} reads during {ROUNDS} rounds of {PARALLEL_LOGINS} logins ({login_time:?}); slowest read {slowest:?}",
        reads.len()
    );
    let mut sorted = reads.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    assert!(
        slowest < MAX_READ,
        "a read of /api/ took {slowest:?} (limit {MAX_READ:?}) while logins hashed passwords; \
         the slowest reads: {:?}",
        &sorted[..sorted.len().min(10)]
    );
}

// ---------------------------------------------------------------------------------------------
// Password hashes never leave the server

/// Fails if `r`'s body or headers contain the hash or any Django hash prefix, or (for
/// representations of users) a `password` key at all.
fn assert_no_hash(r: &Response, hash: &str, user_representation: bool) {
    let mut wire = r.text.clone();
    for (name, value) in &r.headers {
        wire.push_str(&format!(
            "\n{name}: {}",
            String::from_utf8_lossy(value.as_bytes())
        ));
    }
    let password_key = if user_representation {
        "\"password\""
    } else {
        hash
    };
    for needle in [
        hash,
        "argon2$",
        "argon2id",
        "pbkdf2_sha256$",
        "pbkdf2_sha1$",
        password_key,
    ] {
        assert!(
            !wire.contains(needle),
            "the response contains {needle:?}\n{}",
            r.describe()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_endpoint_sends_a_password_hash() {
    let s = TestServer::start().await;
    let id = s.create_user("hash-owner@example.com", PASSWORD).await;
    let staff = s
        .create_staff_user("hash-staff@example.com", PASSWORD)
        .await;
    let hash = if s.is_reference() {
        "pbkdf2_sha256$".to_string()
    } else {
        use rest_framework::sea_orm::EntityTrait;
        example_blog::entities::user::Entity::find_by_id(id)
            .one(&s.db)
            .await
            .expect("loading the user")
            .expect("the user exists")
            .password
    };
    assert!(
        hash.starts_with("argon2$") || hash.starts_with("pbkdf2"),
        "{hash}"
    );
    let (refresh, access) = s.token_pair("hash-owner@example.com", PASSWORD).await;
    let staff_access = s.token("hash-staff@example.com", PASSWORD).await;

    // Representations of users: lists, details, metadata.
    let mut users = Vec::new();
    for token in [Some(access.as_str()), Some(staff_access.as_str()), None] {
        for path in [
            "/api/users/".to_string(),
            format!("/api/users/{id}/"),
            format!("/api/users/{staff}/"),
            "/api/".to_string(),
        ] {
            users.push(s.get(&path, token).await);
            users.push(s.request("OPTIONS", &path).bearer_opt(token).send().await);
        }
    }
    assert!(
        users
            .iter()
            .any(|r| r.status == 200 && r.text.contains("hash-owner@example.com")),
        "no response showed the user at all: the check would prove nothing"
    );
    for r in &users {
        assert_no_hash(r, &hash, true);
    }
    // Everything else that handles passwords.
    let mut responses = Vec::new();
    // Token endpoints: success and failure answers.
    for body in [
        json!({"email": "hash-owner@example.com", "password": PASSWORD}),
        json!({"email": "hash-owner@example.com", "password": "wrong"}),
        json!({"email": "hash-owner@example.com"}),
    ] {
        responses.push(s.post("/api/token/", None, &body).await);
    }
    for body in [
        json!({"username": "hash-owner@example.com", "password": PASSWORD}),
        json!({"username": "hash-owner@example.com", "password": "wrong"}),
    ] {
        responses.push(s.post("/api/api-token-auth/", None, &body).await);
    }
    responses.push(
        s.post("/api/token/refresh/", None, &json!({"refresh": refresh}))
            .await,
    );
    responses.push(
        s.post("/api/token/verify/", None, &json!({"token": access}))
            .await,
    );
    // The schema documents the user resource; it must not describe a password field either.
    responses.push(s.get("/api/schema/?format=json", None).await);

    for r in &responses {
        assert_no_hash(r, &hash, false);
    }
}
