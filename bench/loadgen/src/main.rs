//! `loadgen`: load and faults against a running blog, over HTTP (see `scripts/load_and_faults.sh`).
//!
//! - `mix`: N connections for S seconds on a mix of reads (lists, details, tags), writes by
//!   authenticated users (articles with tags, patches) and logins; prints requests, statuses,
//!   socket errors and latency percentiles by kind, and a per-second timeline when asked;
//!   exits non-zero on any unexpected status or socket error (503 is allowed with
//!   `--allow-unavailable`, and must then be DRF's JSON body).
//! - `writes`: creates articles with tags until the server goes away, logging each one's
//!   intent before sending and its acknowledgement after the 201.
//! - `verify`: every acknowledged article is there with exactly its tags, and no article is
//!   half-written (present with other tags than intended).

use clap::{Parser, Subcommand};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Parser)]
#[command(about = "Load and fault runs against a running blog")]
struct Cli {
    /// The blog's base URL.
    #[arg(long, default_value = "http://127.0.0.1:8000")]
    base: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// A mixed load: reads, authenticated writes with tags, logins.
    Mix {
        /// Concurrent connections.
        #[arg(long, default_value_t = 256)]
        connections: usize,
        /// How long, in seconds.
        #[arg(long, default_value_t = 60)]
        seconds: u64,
        /// Seeded users to write and log in as (`seed-user-00001@example.com`, ...).
        #[arg(long, default_value_t = 20)]
        users: usize,
        /// Percent of requests that are writes.
        #[arg(long, default_value_t = 15)]
        writes: u32,
        /// Percent of requests that are logins.
        #[arg(long, default_value_t = 2)]
        logins: u32,
        /// 503 with DRF's JSON body is expected (the database goes away during the run).
        #[arg(long)]
        allow_unavailable: bool,
        /// Print requests per second by outcome.
        #[arg(long)]
        timeline: bool,
        /// The server's pid: its peak resident memory is printed at the end.
        #[arg(long)]
        pid: Option<u32>,
    },
    /// Creates articles with tags until the server goes away (or the time is up).
    Writes {
        /// Concurrent connections.
        #[arg(long, default_value_t = 16)]
        connections: usize,
        /// At most this long, in seconds.
        #[arg(long, default_value_t = 60)]
        seconds: u64,
        /// Where each article's intent (title, tags) is written before it is sent.
        #[arg(long)]
        intents: std::path::PathBuf,
        /// Where each acknowledged article (id, title, tags) is written after its 201.
        #[arg(long)]
        acked: std::path::PathBuf,
    },
    /// Checks the articles of `writes` against the server.
    Verify {
        #[arg(long)]
        intents: std::path::PathBuf,
        #[arg(long)]
        acked: std::path::PathBuf,
    },
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Mix {
            connections,
            seconds,
            users,
            writes,
            logins,
            allow_unavailable,
            timeline,
            pid,
        } => {
            let plan = MixPlan {
                connections,
                duration: Duration::from_secs(seconds),
                writes,
                logins,
                allow_unavailable,
                timeline,
            };
            mix(&cli.base, users, plan, pid).await
        }
        Command::Writes {
            connections,
            seconds,
            intents,
            acked,
        } => {
            writes(
                &cli.base,
                connections,
                Duration::from_secs(seconds),
                &intents,
                &acked,
            )
            .await
        }
        Command::Verify { intents, acked } => verify(&cli.base, &intents, &acked).await,
    };
    std::process::exit(code);
}

fn client(connections: usize) -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(connections)
        .timeout(Duration::from_secs(30))
        .build()
        .expect("an HTTP client")
}

/// `POST /api/token/` for `email`: the access token.
async fn login(
    client: &reqwest::Client,
    base: &str,
    email: &str,
    password: &str,
) -> Option<String> {
    let response = client
        .post(format!("{base}/api/token/"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .ok()?;
    let body: Value = response.json().await.ok()?;
    body["access"].as_str().map(str::to_owned)
}

fn seeded_user(i: usize) -> String {
    format!("seed-user-{:05}@example.com", i + 1)
}

const SEEDED_PASSWORD: &str = "userpass123";

/// The ids of the first page of `path`'s results (up to 100).
async fn ids(client: &reqwest::Client, base: &str, path: &str) -> Vec<i64> {
    let url = format!("{base}{path}?page_size=100");
    let Ok(response) = client.get(url).send().await else {
        return Vec::new();
    };
    let body: Value = response.json().await.unwrap_or_default();
    body["results"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item["id"].as_i64())
                .collect()
        })
        .unwrap_or_default()
}

/// What a worker did once.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Kind {
    List,
    Detail,
    Tags,
    Create,
    Patch,
    Login,
}

#[derive(Default)]
struct Stats {
    latencies: BTreeMap<Kind, Vec<Duration>>,
    statuses: BTreeMap<(Kind, u16), u64>,
    socket_errors: u64,
    unexpected: Vec<String>,
    /// Per second of the run: (ok, 503, other).
    timeline: BTreeMap<u64, (u64, u64, u64)>,
}

struct MixPlan {
    connections: usize,
    duration: Duration,
    writes: u32,
    logins: u32,
    allow_unavailable: bool,
    timeline: bool,
}

/// A small deterministic generator (xorshift), one per worker.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

async fn mix(base: &str, users: usize, plan: MixPlan, pid: Option<u32>) -> i32 {
    let client = client(plan.connections);
    let mut tokens = Vec::new();
    for i in 0..users {
        match login(&client, base, &seeded_user(i), SEEDED_PASSWORD).await {
            Some(token) => tokens.push(token),
            None => {
                eprintln!(
                    "cannot log in as {} (run `example_blog seed` first)",
                    seeded_user(i)
                );
                return 2;
            }
        }
    }
    let tags = ids(&client, base, "/api/tags/").await;
    let articles = ids(&client, base, "/api/articles/").await;
    if tags.is_empty() || articles.is_empty() {
        eprintln!("the blog has no tags or articles: seed it first");
        return 2;
    }
    let shared = Arc::new((tokens, tags, articles));
    let stats = Arc::new(Mutex::new(Stats::default()));
    let started = Instant::now();
    let plan = Arc::new(plan);
    let mut workers = Vec::new();
    for worker in 0..plan.connections {
        let (client, base, shared, stats, plan) = (
            client.clone(),
            base.to_owned(),
            shared.clone(),
            stats.clone(),
            plan.clone(),
        );
        workers.push(tokio::spawn(async move {
            let (tokens, tags, articles) = &*shared;
            let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (worker as u64 + 1));
            let user = worker % tokens.len();
            let mut own: Vec<i64> = Vec::new();
            while started.elapsed() < plan.duration {
                let roll = rng.below(100) as u32;
                let kind = if roll < plan.logins {
                    Kind::Login
                } else if roll < plan.logins + plan.writes {
                    if own.is_empty() || rng.below(2) == 0 {
                        Kind::Create
                    } else {
                        Kind::Patch
                    }
                } else {
                    match rng.below(10) {
                        0..=4 => Kind::List,
                        5..=8 => Kind::Detail,
                        _ => Kind::Tags,
                    }
                };
                let some_tags: Vec<i64> = (0..1 + rng.below(3)).map(|_| tags[rng.below(tags.len())]).collect();
                let request = match kind {
                    Kind::List => client.get(format!("{base}/api/articles/?page={}", 1 + rng.below(5))),
                    Kind::Detail => {
                        client.get(format!("{base}/api/articles/{}/", articles[rng.below(articles.len())]))
                    }
                    Kind::Tags => client.get(format!("{base}/api/tags/")),
                    Kind::Create => client
                        .post(format!("{base}/api/articles/"))
                        .bearer_auth(&tokens[user])
                        .json(&json!({"title": format!("load {worker}"), "content": "load", "tags": some_tags})),
                    Kind::Patch => client
                        .patch(format!("{base}/api/articles/{}/", own[rng.below(own.len())]))
                        .bearer_auth(&tokens[user])
                        .json(&json!({"tags": some_tags})),
                    Kind::Login => client
                        .post(format!("{base}/api/token/"))
                        .json(&json!({"email": seeded_user(user), "password": SEEDED_PASSWORD})),
                };
                let sent = Instant::now();
                let result = request.send().await;
                let second = started.elapsed().as_secs();
                let mut stats_guard;
                match result {
                    Err(error) => {
                        stats_guard = stats.lock().unwrap_or_else(|e| e.into_inner());
                        stats_guard.socket_errors += 1;
                        if stats_guard.unexpected.len() < 20 {
                            stats_guard.unexpected.push(format!("{kind:?}: {error}"));
                        }
                        stats_guard.timeline.entry(second).or_default().2 += 1;
                    }
                    Ok(response) => {
                        let status = response.status().as_u16();
                        let body = response.bytes().await.unwrap_or_default();
                        let elapsed = sent.elapsed();
                        if kind == Kind::Create && status == 201 {
                            let created: Value = serde_json::from_slice(&body).unwrap_or_default();
                            if let Some(id) = created["id"].as_i64() {
                                own.push(id);
                            }
                        }
                        let expected = match kind {
                            Kind::Create => status == 201,
                            _ => status == 200,
                        };
                        let unavailable = status == 503
                            && plan.allow_unavailable
                            && serde_json::from_slice::<Value>(&body).ok()
                                == Some(json!({"detail": "Service temporarily unavailable, try again later."}));
                        stats_guard = stats.lock().unwrap_or_else(|e| e.into_inner());
                        stats_guard.latencies.entry(kind).or_default().push(elapsed);
                        *stats_guard.statuses.entry((kind, status)).or_default() += 1;
                        let slot = stats_guard.timeline.entry(second).or_default();
                        match (expected, unavailable) {
                            (true, _) => slot.0 += 1,
                            (false, true) => slot.1 += 1,
                            (false, false) => {
                                slot.2 += 1;
                                if stats_guard.unexpected.len() < 20 {
                                    let text = String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned();
                                    stats_guard.unexpected.push(format!("{kind:?}: {status} {text}"));
                                }
                            }
                        }
                    }
                }
                drop(stats_guard);
            }
        }));
    }
    for worker in workers {
        let _ = worker.await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let stats = stats.lock().unwrap_or_else(|e| e.into_inner());
    report(&stats, elapsed, &plan, pid)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index].as_secs_f64() * 1000.0
}

fn report(stats: &Stats, elapsed: f64, plan: &MixPlan, pid: Option<u32>) -> i32 {
    let mut all: Vec<Duration> = Vec::new();
    println!("| kind | requests | req/s | p50 ms | p99 ms | max ms | statuses |");
    println!("|---|---:|---:|---:|---:|---:|---|");
    for (kind, latencies) in &stats.latencies {
        let mut sorted = latencies.clone();
        sorted.sort();
        all.extend(&sorted);
        let statuses: Vec<String> = stats
            .statuses
            .iter()
            .filter(|((k, _), _)| k == kind)
            .map(|((_, status), n)| format!("{status}: {n}"))
            .collect();
        println!(
            "| {kind:?} | {} | {:.1} | {:.2} | {:.2} | {:.2} | {} |",
            sorted.len(),
            sorted.len() as f64 / elapsed,
            percentile(&sorted, 0.5),
            percentile(&sorted, 0.99),
            percentile(&sorted, 1.0),
            statuses.join(", ")
        );
    }
    all.sort();
    println!(
        "| all | {} | {:.1} | {:.2} | {:.2} | {:.2} | |",
        all.len(),
        all.len() as f64 / elapsed,
        percentile(&all, 0.5),
        percentile(&all, 0.99),
        percentile(&all, 1.0)
    );
    let unexpected: u64 = stats.timeline.values().map(|(_, _, other)| other).sum();
    let unavailable: u64 = stats.timeline.values().map(|(_, n, _)| n).sum();
    println!(
        "connections: {}, seconds: {elapsed:.1}, unexpected statuses: {}, socket errors: {}, 503s: {unavailable}",
        plan.connections,
        unexpected - stats.socket_errors,
        stats.socket_errors
    );
    if let Some(pid) = pid {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        for line in status
            .lines()
            .filter(|l| l.starts_with("VmHWM") || l.starts_with("VmRSS"))
        {
            println!("server {line}");
        }
    }
    if plan.timeline {
        println!("second: ok / 503 / other");
        for (second, (ok, unavailable, other)) in &stats.timeline {
            println!("{second:>4}: {ok} / {unavailable} / {other}");
        }
    }
    for line in &stats.unexpected {
        println!("unexpected: {line}");
    }
    i32::from(unexpected > 0)
}

/// Appends a JSON line and hands it to the operating system (the file outlives the server).
fn log_line(file: &Mutex<std::fs::File>, value: &Value) {
    let mut file = file.lock().unwrap_or_else(|e| e.into_inner());
    let _ = writeln!(file, "{value}");
    let _ = file.flush();
}

async fn writes(
    base: &str,
    connections: usize,
    duration: Duration,
    intents: &std::path::Path,
    acked: &std::path::Path,
) -> i32 {
    let client = client(connections);
    let Some(token) = login(&client, base, &seeded_user(0), SEEDED_PASSWORD).await else {
        eprintln!("cannot log in as {}", seeded_user(0));
        return 2;
    };
    let tags = ids(&client, base, "/api/tags/").await;
    let open = |path: &std::path::Path| {
        Arc::new(Mutex::new(
            std::fs::File::create(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
        ))
    };
    let (intent_file, acked_file) = (open(intents), open(acked));
    let gone = Arc::new(AtomicBool::new(false));
    let counter = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let run = std::process::id();
    let mut workers = Vec::new();
    for worker in 0..connections {
        let (client, base, token, tags) =
            (client.clone(), base.to_owned(), token.clone(), tags.clone());
        let (intent_file, acked_file, gone, counter) = (
            intent_file.clone(),
            acked_file.clone(),
            gone.clone(),
            counter.clone(),
        );
        workers.push(tokio::spawn(async move {
            let mut rng = Rng(0xD1B5_4A32_D192_ED03 ^ (worker as u64 + 1));
            while !gone.load(Ordering::Relaxed) && started.elapsed() < duration {
                let n = counter.fetch_add(1, Ordering::Relaxed);
                let title = format!("crash-{run}-{n}-end");
                let mut wanted: Vec<i64> = (0..1 + rng.below(4))
                    .map(|_| tags[rng.below(tags.len())])
                    .collect();
                wanted.sort();
                wanted.dedup();
                log_line(&intent_file, &json!({"title": title, "tags": wanted}));
                let sent = client
                    .post(format!("{base}/api/articles/"))
                    .bearer_auth(&token)
                    .json(&json!({"title": title, "content": "crash test", "tags": wanted}))
                    .send()
                    .await;
                match sent {
                    Ok(response) if response.status().as_u16() == 201 => {
                        let body: Value = response.json().await.unwrap_or_default();
                        log_line(
                            &acked_file,
                            &json!({"id": body["id"], "title": title, "tags": wanted}),
                        );
                    }
                    Ok(response) => eprintln!("unexpected {} for {title}", response.status()),
                    Err(_) => gone.store(true, Ordering::Relaxed),
                }
            }
        }));
    }
    for worker in workers {
        let _ = worker.await;
    }
    println!(
        "writes: {} sent, the server {}",
        counter.load(Ordering::Relaxed),
        if gone.load(Ordering::Relaxed) {
            "went away"
        } else {
            "stayed up"
        }
    );
    0
}

fn read_lines(path: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect()
}

async fn verify(base: &str, intents: &std::path::Path, acked: &std::path::Path) -> i32 {
    let client = client(8);
    let intents = read_lines(intents);
    let acked = read_lines(acked);
    let mut problems = Vec::new();
    let mut present = 0;
    for intent in &intents {
        let title = intent["title"].as_str().unwrap_or_default();
        let url = format!("{base}/api/articles/?search=%22{title}%22&page_size=100");
        let body: Value = match client.get(&url).send().await {
            Ok(response) => response.json().await.unwrap_or_default(),
            Err(error) => {
                problems.push(format!("{title}: {error}"));
                continue;
            }
        };
        let found: Vec<&Value> = body["results"]
            .as_array()
            .map(|items| items.iter().filter(|item| item["title"] == title).collect())
            .unwrap_or_default();
        let was_acked = acked.iter().find(|a| a["title"] == title);
        match (found.as_slice(), was_acked) {
            ([], Some(_)) => problems.push(format!("{title}: acknowledged, missing")),
            ([], None) => {}
            ([article], _) => {
                present += 1;
                let mut tags: Vec<i64> = article["tags"]
                    .as_array()
                    .map(|t| t.iter().filter_map(Value::as_i64).collect())
                    .unwrap_or_default();
                tags.sort();
                let wanted: Vec<i64> = intent["tags"]
                    .as_array()
                    .map(|t| t.iter().filter_map(Value::as_i64).collect())
                    .unwrap_or_default();
                if tags != wanted {
                    problems.push(format!(
                        "{title}: tags {tags:?}, written {wanted:?} (half-written)"
                    ));
                }
                if let Some(acked) = was_acked
                    && acked["id"] != article["id"]
                {
                    problems.push(format!(
                        "{title}: id {} acknowledged, {} stored",
                        acked["id"], article["id"]
                    ));
                }
            }
            (many, _) => problems.push(format!("{title}: {} copies", many.len())),
        }
    }
    println!(
        "verify: {} written, {} acknowledged, {present} stored (all acknowledged ones among them), {} problems",
        intents.len(),
        acked.len(),
        problems.len()
    );
    for problem in problems.iter().take(20) {
        println!("problem: {problem}");
    }
    i32::from(!problems.is_empty() || acked.is_empty())
}
