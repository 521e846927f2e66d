//! Hardening (issue 24) of the `example_blog serve` process: connections that hold the server
//! (under `ulimit -n 1024`), shutdown with idle connections open, memory under large bodies,
//! the warning for a new database, and the login throttle of production mode.

mod support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};
use support::{SECRET_KEY, Server, binary, free_port};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// `example_blog serve --bind addr` with the test environment, under `ulimit -n <files>`,
/// with `env` added.
fn serve_limited(dir: &Path, addr: &str, files: u32, env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new("bash");
    cmd.arg("-c")
        .arg(format!(
            "ulimit -n {files} && exec \"$0\" serve --bind \"$1\""
        ))
        .arg(binary())
        .arg(addr)
        .current_dir(dir)
        .env("SECRET_KEY", SECRET_KEY)
        .env("RUST_LOG", "info")
        .env_remove("DATABASE_URL")
        .env_remove("PRODUCTION")
        .env_remove("ALLOWED_HOSTS")
        .envs(env.iter().copied());
    cmd
}

/// Opens `count` connections at once (each within 5 s, or it is not counted) and sends each
/// half a request line; the connections that got that far.
async fn half_requests(addr: &str, count: usize) -> Vec<TcpStream> {
    let attempts = (0..count).map(|_| async {
        let connect = tokio::time::timeout(Duration::from_secs(5), TcpStream::connect(addr));
        let mut stream = connect.await.ok()?.ok()?;
        stream.write_all(b"GET /api/ HT").await.ok()?;
        Some(stream)
    });
    futures_util::future::join_all(attempts)
        .await
        .into_iter()
        .flatten()
        .collect()
}

/// `GET /api/` on a new connection; the status line, or `None` after `timeout`.
async fn get_api(addr: &str, timeout: Duration) -> Option<String> {
    let attempt = async {
        let mut stream = TcpStream::connect(addr).await.ok()?;
        let request = format!("GET /api/ HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await.ok()?;
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).await.ok()?;
        let text = String::from_utf8_lossy(&answer).into_owned();
        text.lines().next().map(str::to_owned)
    };
    tokio::time::timeout(timeout, attempt).await.ok().flatten()
}

/// The open-file limit of this test process raised to its hard limit; whether `needed`
/// descriptors fit.
fn room_for(needed: u64) -> bool {
    let limit = rest_framework::server::raise_open_files_limit().unwrap_or(0);
    if limit < needed {
        eprintln!("skipped: this process may open {limit} files, the test needs {needed}");
        return false;
    }
    true
}

/// 1,100 connections that send half a request line and wait, against a server that may open
/// 1,024 files: they use up its descriptors, but each is cut at the header timeout, so a
/// client arriving after them is served; and SIGTERM still stops the server at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_sent_requests_cannot_lock_clients_out() {
    if !room_for(1400) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let addr = format!("127.0.0.1:{}", free_port());
    let cmd = serve_limited(
        dir.path(),
        &addr,
        1024,
        &[("HEADER_READ_TIMEOUT", "2"), ("IDLE_TIMEOUT", "5")],
    );
    let server = Server::start_command(dir.path(), cmd, &addr).await;
    let attackers = half_requests(&addr, 1100).await;
    assert!(
        attackers.len() > 900,
        "only {} connections opened",
        attackers.len()
    );
    let started = Instant::now();
    let answer = get_api(&addr, Duration::from_secs(15)).await;
    assert_eq!(
        answer.as_deref(),
        Some("HTTP/1.1 200 OK"),
        "a client behind 1,100 half-sent requests was not served within 15 s:\n{}",
        server.log_text()
    );
    eprintln!("served after {:?}", started.elapsed());
    let stopping = Instant::now();
    assert_eq!(server.terminate().await.code(), Some(0));
    assert!(
        stopping.elapsed() < Duration::from_secs(5),
        "{:?}",
        stopping.elapsed()
    );
    drop(attackers);
}

/// SIGTERM with keep-alive connections idle and requests half sent: they are closed at once
/// (not after the 30 s shutdown timeout), and the server exits 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_does_not_wait_for_idle_connections() {
    let dir = tempfile::tempdir().unwrap();
    let addr = format!("127.0.0.1:{}", free_port());
    let cmd = serve_limited(dir.path(), &addr, 4096, &[]);
    let server = Server::start_command(dir.path(), cmd, &addr).await;
    let mut idle = Vec::new();
    for _ in 0..50 {
        let mut stream = TcpStream::connect(&addr).await.expect("connect");
        let request = format!("GET /api/ HTTP/1.1\r\nHost: {addr}\r\n\r\n");
        stream.write_all(request.as_bytes()).await.expect("write");
        let mut buf = vec![0; 4096];
        let n = stream.read(&mut buf).await.expect("read");
        assert!(buf[..n].starts_with(b"HTTP/1.1 200"));
        idle.push(stream);
    }
    let half = half_requests(&addr, 50).await;
    assert_eq!(half.len(), 50);
    let stopping = Instant::now();
    assert_eq!(server.terminate().await.code(), Some(0));
    let took = stopping.elapsed();
    assert!(took < Duration::from_secs(3), "SIGTERM took {took:?}");
    for mut stream in idle.into_iter().chain(half) {
        let mut buf = [0; 16];
        let read = tokio::time::timeout(Duration::from_secs(1), stream.read(&mut buf)).await;
        assert!(
            matches!(read, Ok(Ok(0)) | Ok(Err(_))),
            "a connection stayed open: {read:?}"
        );
    }
}

/// The process's peak resident memory (`VmHWM`), in MiB.
fn peak_rss_mib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    let kib: u64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM");
    kib / 1024
}

/// 16 bodies of 9 MB at once (refused past 2.5 MiB, read no further into memory), then 16
/// bodies just under the limit that are parsed: the server's peak memory stays far below the
/// 304 MB that 16 accepted 9 MB bodies took.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_bodies_do_not_grow_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let addr = format!("127.0.0.1:{}", free_port());
    let cmd = serve_limited(dir.path(), &addr, 4096, &[]);
    let server = Server::start_command(dir.path(), cmd, &addr).await;
    let client = reqwest::Client::new();
    let post = |body: String| {
        let client = client.clone();
        let url = format!("http://{addr}/api/token/");
        async move {
            client
                .post(url)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or(0)
        }
    };
    let big = format!("{{\"email\": \"{}\"}}", "x".repeat(9_000_000));
    let statuses = futures_util::future::join_all((0..16).map(|_| post(big.clone()))).await;
    assert!(statuses.iter().all(|s| *s == 400), "{statuses:?}");
    // Under the limits: long strings, and as many small values as allowed.
    let strings = format!("{{\"email\": \"{}\"}}", "y".repeat(2_600_000));
    let values = format!("{{\"email\": [{}]}}", vec!["\"ab\""; 99_990].join(","));
    let statuses = futures_util::future::join_all((0..16).map(|i| {
        post(if i % 2 == 0 {
            strings.clone()
        } else {
            values.clone()
        })
    }))
    .await;
    assert!(statuses.iter().all(|s| *s == 400), "{statuses:?}");
    let peak = peak_rss_mib(server.child.id());
    eprintln!("peak RSS after 32 large bodies: {peak} MiB");
    assert!(peak < 160, "peak RSS {peak} MiB");
    assert_eq!(server.terminate().await.code(), Some(0));
}

/// `serve` outside production mode says loudly when it creates a new SQLite file (a deleted
/// database, another working directory), and only then.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_database_is_announced() {
    let dir = tempfile::tempdir().unwrap();
    for first in [true, false] {
        let addr = format!("127.0.0.1:{}", free_port());
        let server = Server::start(dir.path(), &["serve", "--bind", &addr], &addr).await;
        let log = server.log_text();
        let path = "db.sqlite3";
        let warned = log.contains("NEW, EMPTY SQLite database") && log.contains(path);
        assert_eq!(warned, first, "first start: {first}\n{log}");
        assert_eq!(server.terminate().await.code(), Some(0));
    }
}

/// Production mode limits logins per account (5 a minute) and per client (20 a minute) on
/// every login route, with DRF's 429 before any password is checked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn production_mode_throttles_password_guessing() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("prod.sqlite3").display()
    );
    let mut migrate = support::blog(dir.path());
    migrate.arg("migrate").env("DATABASE_URL", &url);
    support::assert_success(&support::run(migrate));
    let addr = format!("127.0.0.1:{}", free_port());
    let server = Server::start_with_env(
        dir.path(),
        &["serve", "--production", "--bind", &addr],
        &addr,
        &[
            ("DATABASE_URL", url.as_str()),
            ("ALLOWED_HOSTS", "127.0.0.1"),
        ],
    )
    .await;
    let client = reqwest::Client::new();
    let attempt = |path: &'static str, body: serde_json::Value| {
        let request = client.post(format!("{}{path}", server.base)).json(&body);
        async move {
            let r = request.send().await.expect("request");
            let status = r.status().as_u16();
            let body: serde_json::Value = r.json().await.unwrap_or_default();
            (status, body)
        }
    };
    let guess = serde_json::json!({"email": "victim@example.com", "password": "guess"});
    for _ in 0..5 {
        assert_eq!(attempt("/api/token/", guess.clone()).await.0, 401);
    }
    let (status, body) = attempt("/api/token/", guess.clone()).await;
    assert_eq!(status, 429, "{body}");
    let detail = body["detail"].as_str().unwrap_or_default();
    assert!(
        detail.starts_with("Request was throttled. Expected available in "),
        "{body}"
    );
    // The same account through another login route, and in another case.
    let other_route = serde_json::json!({"username": "VICTIM@example.com", "password": "x"});
    assert_eq!(attempt("/api/api-token-auth/", other_route).await.0, 429);
    // Other accounts from this client: until the client's 20 attempts a minute.
    let mut statuses = Vec::new();
    for i in 0..16 {
        let body = serde_json::json!({"email": format!("other{i}@example.com"), "password": "x"});
        statuses.push(attempt("/api/accounts/v1/login/", body).await.0);
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        3,
        "{statuses:?}"
    );
    assert_eq!(server.terminate().await.code(), Some(0));
}
