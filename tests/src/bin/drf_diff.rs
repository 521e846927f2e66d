//! The differential checker: replays one script of HTTP requests against the DRF reference app
//! and the Rust blog, each on a fresh database, and prints every difference between their
//! answers (status, JSON body or text, and the headers a client can see) after normalising what
//! legitimately differs: ids (mapped through the script's captures), datetimes, tokens, cookie
//! values and host names.
//!
//! ```sh
//! DRF_REF_HOME=/tmp/itest/drfref cargo run -p integration_tests --bin drf_diff -- \
//!     --reference ../shared/reference/drf_blog [--filter articles] [--allow-differences]
//! ```
//!
//! The script (`tests/drf_diff/script.json`, see [`Script`]) is a list of steps; a step may
//! capture values of its response into `$variables` that later steps use in their path, headers
//! and body. Each server has its own variables, so the same script follows each server's ids.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::LazyLock;

use clap::Parser;
use integration_tests::TestServer;
use regex::Regex;
use serde::Deserialize;
use serde_json::{Map, Value};

/// Command line.
#[derive(Parser)]
#[command(
    about = "Replays a request script against the DRF reference app and the Rust blog \
                   and prints every difference"
)]
struct Args {
    /// The DRF reference app (`shared/reference/drf_blog`; its venv is found through
    /// `DRF_REF_HOME`).
    #[arg(long, env = "BLOG_TESTS_REFERENCE")]
    reference: PathBuf,
    /// The script to replay.
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/drf_diff/script.json"))]
    script: PathBuf,
    /// Compare and print only the steps whose name or path contains this text (every step
    /// still runs, so later steps see the same state).
    #[arg(long)]
    filter: Option<String>,
    /// Exit with 0 even when there are differences.
    #[arg(long)]
    allow_differences: bool,
    /// Also print both raw bodies of the steps that differ.
    #[arg(long)]
    bodies: bool,
    /// Print every step, not only the ones that differ.
    #[arg(long, short)]
    verbose: bool,
}

/// A replay script.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Script {
    /// Staff users created directly in each database before the first step.
    #[serde(default)]
    staff_users: Vec<Credentials>,
    steps: Vec<Step>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Credentials {
    email: String,
    password: String,
}

/// One request, sent to both servers.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Step {
    /// What the step checks, for the report.
    name: String,
    method: String,
    /// The path (with query); `$variables` are replaced.
    path: String,
    /// Request headers; `$variables` are replaced in the values.
    #[serde(default)]
    headers: Map<String, Value>,
    /// Shorthand for `Authorization: Bearer <bearer>`.
    bearer: Option<String>,
    /// A JSON body (`Content-Type: application/json`); a string that is exactly `$variable`
    /// becomes the captured value itself (so ids stay numbers).
    json: Option<Value>,
    /// A raw body, sent with `content_type`.
    body: Option<String>,
    content_type: Option<String>,
    /// Values to remember: variable name -> a JSON pointer into the response body (`/access`,
    /// `/results/0/id`), `header:<Name>` or `cookie:<name>` (a `Set-Cookie` value).
    #[serde(default)]
    capture: Map<String, Value>,
    /// JSON pointers of body parts not compared (too large or legitimately different).
    #[serde(default)]
    ignore: Vec<String>,
    /// Compare only status and headers.
    #[serde(default)]
    ignore_body: bool,
    /// When not empty, compare only the keys of the JSON objects at these pointers (with the
    /// keys of their object children: `/paths` gives every path and its methods), in sorted
    /// order, instead of the whole body (large generated documents such as the schema).
    #[serde(default)]
    keys_of: Vec<String>,
}

/// Response headers compared, besides every `access-control-*` header and `Set-Cookie`.
const COMPARED_HEADERS: &[&str] = &[
    "content-type",
    "allow",
    "vary",
    "www-authenticate",
    "location",
    "x-frame-options",
    "x-content-type-options",
    "referrer-policy",
    "cross-origin-opener-policy",
];

/// What one server answered.
struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    text: String,
}

/// One server with the variables the script captured from it.
struct Side {
    server: TestServer,
    client: reqwest::Client,
    vars: HashMap<String, Value>,
}

impl Side {
    fn new(server: TestServer) -> Side {
        Side {
            server,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(std::time::Duration::from_secs(60))
                .build()
                .expect("cannot build the HTTP client"),
            vars: HashMap::new(),
        }
    }

    /// `$name` replaced by the captured value (as text) in `s`.
    fn substitute(&self, s: &str) -> String {
        static VAR: LazyLock<Regex> =
            LazyLock::new(|| Regex::new(r"\$([A-Za-z_][A-Za-z0-9_]*)").expect("regex"));
        VAR.replace_all(s, |c: &regex::Captures| match self.vars.get(&c[1]) {
            Some(Value::String(v)) => v.clone(),
            Some(v) => v.to_string(),
            None => c[0].to_string(),
        })
        .into_owned()
    }

    fn substitute_json(&self, v: &Value) -> Value {
        match v {
            Value::String(s) => match s.strip_prefix('$').and_then(|name| self.vars.get(name)) {
                Some(value) => value.clone(),
                None => Value::String(self.substitute(s)),
            },
            Value::Array(items) => items.iter().map(|i| self.substitute_json(i)).collect(),
            Value::Object(m) => Value::Object(
                m.iter()
                    .map(|(k, v)| (k.clone(), self.substitute_json(v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    async fn send(&self, step: &Step) -> Result<Answer, String> {
        let method = reqwest::Method::from_bytes(step.method.as_bytes())
            .map_err(|e| format!("bad method {:?}: {e}", step.method))?;
        let mut request = self
            .client
            .request(method, self.server.url(&self.substitute(&step.path)));
        if let Some(token) = &step.bearer {
            request = request.header(
                "Authorization",
                format!("Bearer {}", self.substitute(token)),
            );
        }
        for (name, value) in &step.headers {
            let value = value
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| value.to_string());
            request = request.header(name.as_str(), self.substitute(&value));
        }
        if let Some(json) = &step.json {
            request = request
                .header("Content-Type", "application/json")
                .body(serde_json::to_vec(&self.substitute_json(json)).map_err(|e| e.to_string())?);
        }
        if let Some(body) = &step.body {
            if let Some(content_type) = &step.content_type {
                request = request.header("Content-Type", content_type.as_str());
            }
            request = request.body(self.substitute(body));
        }
        let response = request
            .send()
            .await
            .map_err(|e| format!("request failed: {e}"))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response
            .text()
            .await
            .map_err(|e| format!("reading the body failed: {e}"))?;
        Ok(Answer {
            status,
            headers,
            text,
        })
    }

    /// Stores the step's captures from `answer`; returns the ones that were not found.
    fn capture(&mut self, step: &Step, answer: &Answer) -> Vec<String> {
        let body: Option<Value> = serde_json::from_str(&answer.text).ok();
        let mut missing = Vec::new();
        for (name, spec) in &step.capture {
            let spec = spec.as_str().unwrap_or_default();
            let value = if let Some(header) = spec.strip_prefix("header:") {
                answer
                    .headers
                    .get(header)
                    .map(|v| Value::String(String::from_utf8_lossy(v.as_bytes()).into_owned()))
            } else if let Some(cookie) = spec.strip_prefix("cookie:") {
                cookie_value(&answer.headers, cookie).map(Value::String)
            } else {
                body.as_ref().and_then(|b| b.pointer(spec)).cloned()
            };
            match value {
                Some(v) => {
                    self.vars.insert(name.clone(), v);
                }
                None => missing.push(format!("${name} ({spec})")),
            }
        }
        missing
    }
}

/// The value of the cookie `name` set by a response.
fn cookie_value(headers: &reqwest::header::HeaderMap, name: &str) -> Option<String> {
    headers.get_all("set-cookie").iter().find_map(|v| {
        let text = String::from_utf8_lossy(v.as_bytes());
        let first = text.split(';').next()?;
        let (n, value) = first.split_once('=')?;
        (n.trim() == name).then(|| value.trim().to_string())
    })
}

/// Replaces what legitimately differs between two servers in a string.
fn normalise(s: &str) -> String {
    static RULES: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
        [
            (r"(127\.0\.0\.1|localhost|\[::1\]):\d+", "<host>"),
            (
                r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*",
                "<token>",
            ),
            (r"^[0-9a-f]{40}$", "<token>"),
            // Keeps the shape (fraction digits, zone) so a format difference still shows.
            (
                r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?",
                "<datetime$1$2>",
            ),
        ]
        .into_iter()
        .map(|(re, to)| (Regex::new(re).expect("regex"), to))
        .collect()
    });
    static DIGITS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\d").expect("regex"));
    let mut s = s.to_string();
    for (re, to) in RULES.iter() {
        s = re
            .replace_all(&s, |c: &regex::Captures| {
                // Datetime shapes: fraction digits become `f`, zone digits `h`/`m`.
                let mut out = to.to_string();
                for i in 1..c.len() {
                    let part = c.get(i).map(|m| m.as_str()).unwrap_or_default();
                    out = out.replace(&format!("${i}"), &DIGITS.replace_all(part, "d"));
                }
                out
            })
            .into_owned();
    }
    s
}

fn normalise_json(v: &Value) -> Value {
    match v {
        Value::String(s) => Value::String(normalise(s)),
        Value::Array(items) => items.iter().map(normalise_json).collect(),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), normalise_json(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// `Set-Cookie` values with the cookie values hidden and the attributes in a fixed order.
fn normalise_cookies(headers: &reqwest::header::HeaderMap) -> Option<String> {
    let mut cookies: Vec<String> = headers
        .get_all("set-cookie")
        .iter()
        .map(|v| {
            let text = String::from_utf8_lossy(v.as_bytes());
            let mut parts = text.split(';').map(str::trim);
            let first = parts.next().unwrap_or_default();
            let (name, value) = first.split_once('=').unwrap_or((first, ""));
            let value = match value.trim_matches('"') {
                "" => "\"\"",
                _ => "<value>",
            };
            let mut attributes: Vec<String> = parts
                .filter(|p| !p.is_empty())
                .map(|p| match p.split_once('=') {
                    Some((k, _)) if k.eq_ignore_ascii_case("expires") => {
                        "expires=<date>".to_string()
                    }
                    Some((k, v)) => format!("{}={v}", k.to_ascii_lowercase()),
                    None => p.to_ascii_lowercase(),
                })
                .collect();
            attributes.sort();
            std::iter::once(format!("{name}={value}"))
                .chain(attributes)
                .collect::<Vec<_>>()
                .join("; ")
        })
        .collect();
    cookies.sort();
    (!cookies.is_empty()).then(|| cookies.join(" | "))
}

/// Compares normalised values; ids that differ are equal when a captured variable maps one to
/// the other.
struct Comparer<'a> {
    /// `(reference id, blog id)` pairs of the captured numeric variables.
    id_pairs: &'a BTreeSet<(i64, i64)>,
    ignore: &'a [String],
    differences: Vec<String>,
}

impl Comparer<'_> {
    fn ids_match(&self, a: i64, b: i64) -> bool {
        a == b || self.id_pairs.contains(&(a, b))
    }

    /// Strings equal but for digit runs that `ids_match` (URLs with ids).
    fn strings_match(&self, a: &str, b: &str) -> bool {
        if a == b {
            return true;
        }
        static RUN: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\d+").expect("regex"));
        let skeleton = |s: &str| RUN.replace_all(s, "0").into_owned();
        if skeleton(a) != skeleton(b) {
            return false;
        }
        RUN.find_iter(a).zip(RUN.find_iter(b)).all(|(x, y)| {
            x.as_str() == y.as_str()
                || matches!((x.as_str().parse(), y.as_str().parse()), (Ok(x), Ok(y)) if self.ids_match(x, y))
        })
    }

    fn compare(&mut self, path: &str, reference: &Value, blog: &Value) {
        if self.ignore.iter().any(|i| i == path) {
            return;
        }
        match (reference, blog) {
            (Value::Object(r), Value::Object(b)) => {
                let missing: Vec<&String> = r.keys().filter(|k| !b.contains_key(*k)).collect();
                let extra: Vec<&String> = b.keys().filter(|k| !r.contains_key(*k)).collect();
                if !missing.is_empty() || !extra.is_empty() {
                    self.differences.push(format!(
                        "body {}: keys missing in the blog {missing:?}, extra in the blog {extra:?}",
                        display_path(path)
                    ));
                } else if !r.keys().eq(b.keys()) {
                    self.differences.push(format!(
                        "body {}: key order: reference {:?} | blog {:?}",
                        display_path(path),
                        r.keys().collect::<Vec<_>>(),
                        b.keys().collect::<Vec<_>>()
                    ));
                }
                for (k, rv) in r {
                    if let Some(bv) = b.get(k) {
                        self.compare(&format!("{path}/{}", escape_pointer(k)), rv, bv);
                    }
                }
            }
            (Value::Array(r), Value::Array(b)) => {
                if r.len() != b.len() {
                    self.differences.push(format!(
                        "body {}: {} items in the reference | {} in the blog",
                        display_path(path),
                        r.len(),
                        b.len()
                    ));
                }
                for (i, (rv, bv)) in r.iter().zip(b).enumerate() {
                    self.compare(&format!("{path}/{i}"), rv, bv);
                }
            }
            (Value::Number(r), Value::Number(b)) if matches!((r.as_i64(), b.as_i64()), (Some(x), Some(y)) if self.ids_match(x, y)) =>
                {}
            (Value::String(r), Value::String(b)) if self.strings_match(r, b) => {}
            (r, b) if r == b => {}
            (r, b) => self.differences.push(format!(
                "body {}: reference {} | blog {}",
                display_path(path),
                shorten(&r.to_string()),
                shorten(&b.to_string())
            )),
        }
    }

    fn compare_header(&mut self, name: &str, reference: Option<String>, blog: Option<String>) {
        let same = match (&reference, &blog) {
            (Some(r), Some(b)) => self.strings_match(r, b),
            (None, None) => true,
            _ => false,
        };
        if !same {
            let show = |v: &Option<String>| {
                v.as_deref()
                    .map_or("(absent)".to_string(), |v| format!("{v:?}"))
            };
            self.differences.push(format!(
                "header {name}: reference {} | blog {}",
                show(&reference),
                show(&blog)
            ));
        }
    }
}

fn display_path(path: &str) -> &str {
    if path.is_empty() { "/" } else { path }
}

fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn shorten(s: &str) -> String {
    const MAX: usize = 300;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        format!(
            "{}... ({} chars)",
            s.chars().take(MAX).collect::<String>(),
            s.chars().count()
        )
    }
}

fn header(headers: &reqwest::header::HeaderMap, name: &str) -> Option<String> {
    let values: Vec<String> = headers
        .get_all(name)
        .iter()
        .map(|v| normalise(&String::from_utf8_lossy(v.as_bytes())))
        .collect();
    (!values.is_empty()).then(|| values.join(", "))
}

/// The differences between the two answers to one step.
fn compare_answers(
    step: &Step,
    id_pairs: &BTreeSet<(i64, i64)>,
    reference: &Answer,
    blog: &Answer,
) -> Vec<String> {
    let mut cmp = Comparer {
        id_pairs,
        ignore: &step.ignore,
        differences: Vec::new(),
    };
    if reference.status != blog.status {
        cmp.differences.push(format!(
            "status: reference {} | blog {}",
            reference.status, blog.status
        ));
    }
    let mut names: BTreeSet<String> = COMPARED_HEADERS.iter().map(|h| h.to_string()).collect();
    for headers in [&reference.headers, &blog.headers] {
        names.extend(
            headers
                .keys()
                .map(|k| k.as_str().to_string())
                .filter(|k| k.starts_with("access-control-")),
        );
    }
    for name in &names {
        cmp.compare_header(
            name,
            header(&reference.headers, name),
            header(&blog.headers, name),
        );
    }
    // Whether there is a `Content-Length` (its value follows the body, compared below).
    let has_length = |headers: &reqwest::header::HeaderMap| {
        headers
            .contains_key("content-length")
            .then(|| "present".to_string())
    };
    cmp.compare_header(
        "content-length",
        has_length(&reference.headers),
        has_length(&blog.headers),
    );
    cmp.compare_header(
        "set-cookie",
        normalise_cookies(&reference.headers),
        normalise_cookies(&blog.headers),
    );
    if !step.ignore_body {
        match (
            serde_json::from_str::<Value>(&reference.text),
            serde_json::from_str::<Value>(&blog.text),
        ) {
            (Ok(r), Ok(b)) if !step.keys_of.is_empty() => {
                for pointer in &step.keys_of {
                    let (r, b) = (key_outline(&r, pointer), key_outline(&b, pointer));
                    let missing: Vec<&String> = r.difference(&b).collect();
                    let extra: Vec<&String> = b.difference(&r).collect();
                    if !missing.is_empty() || !extra.is_empty() {
                        cmp.differences.push(format!(
                            "body keys of {}: missing in the blog {missing:?}, extra in the blog {extra:?}",
                            display_path(pointer)
                        ));
                    }
                }
            }
            (Ok(r), Ok(b)) => cmp.compare("", &normalise_json(&r), &normalise_json(&b)),
            _ => {
                let (r, b) = (normalise(&reference.text), normalise(&blog.text));
                if !cmp.strings_match(&r, &b) {
                    cmp.differences.push(format!(
                        "body (text): reference {:?} | blog {:?}",
                        shorten(&r),
                        shorten(&b)
                    ));
                }
            }
        }
    }
    cmp.differences
}

/// The keys of the object at `pointer`, and `key child-key` for the keys of its object
/// children.
fn key_outline(body: &Value, pointer: &str) -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    if let Some(Value::Object(m)) = body.pointer(pointer) {
        for (k, v) in m {
            keys.insert(k.clone());
            if let Value::Object(children) = v {
                keys.extend(children.keys().map(|c| format!("{k} {c}")));
            }
        }
    }
    keys
}

/// `(reference, blog)` pairs of the variables that hold ids.
fn id_pairs(reference: &Side, blog: &Side) -> BTreeSet<(i64, i64)> {
    let as_id = |v: &Value| match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    };
    reference
        .vars
        .iter()
        .filter_map(|(name, r)| Some((as_id(r)?, as_id(blog.vars.get(name)?)?)))
        .collect()
}

async fn run(args: Args) -> Result<usize, String> {
    let text = std::fs::read_to_string(&args.script)
        .map_err(|e| format!("cannot read {}: {e}", args.script.display()))?;
    let script: Script = serde_json::from_str(&text)
        .map_err(|e| format!("{} is not a valid script: {e}", args.script.display()))?;

    eprintln!("starting the DRF reference app and the blog on fresh databases...");
    let (reference, blog) = tokio::join!(
        TestServer::start_reference_at(&args.reference),
        TestServer::start_blog()
    );
    for user in &script.staff_users {
        reference
            .create_staff_user(&user.email, &user.password)
            .await;
        blog.create_staff_user(&user.email, &user.password).await;
    }
    let (mut reference, mut blog) = (Side::new(reference), Side::new(blog));

    let mut compared = 0;
    let mut differences = 0;
    for (index, step) in script.steps.iter().enumerate() {
        let (r, b) = tokio::join!(reference.send(step), blog.send(step));
        let title = format!(
            "step {} {:?}: {} {}",
            index + 1,
            step.name,
            step.method,
            reference.substitute(&step.path)
        );
        let status = match (&r, &b) {
            (Ok(r), Ok(b)) if r.status == b.status => r.status.to_string(),
            (Ok(r), Ok(b)) => format!("{} | {}", r.status, b.status),
            _ => "failed".to_string(),
        };
        let mut found = match (&r, &b) {
            (Ok(r), Ok(b)) => {
                let mut missing = Vec::new();
                for (side, answer, label) in
                    [(&mut reference, r, "reference"), (&mut blog, b, "blog")]
                {
                    missing.extend(
                        side.capture(step, answer)
                            .into_iter()
                            .map(|m| format!("capture {m} not found in the {label}'s answer")),
                    );
                }
                let mut found = compare_answers(step, &id_pairs(&reference, &blog), r, b);
                found.extend(missing);
                found
            }
            (r, b) => vec![format!(
                "request: reference {} | blog {}",
                r.as_ref()
                    .map_or_else(Clone::clone, |a| a.status.to_string()),
                b.as_ref()
                    .map_or_else(Clone::clone, |a| a.status.to_string())
            )],
        };
        let selected = args
            .filter
            .as_deref()
            .is_none_or(|f| step.name.contains(f) || step.path.contains(f));
        if !selected {
            continue;
        }
        compared += 1;
        if found.is_empty() {
            if args.verbose {
                println!("{title}: same ({status})");
            }
            continue;
        }
        println!("{title} ({status})");
        differences += found.len();
        for d in found.drain(..) {
            println!("    {d}");
        }
        if args.bodies {
            for (label, answer) in [("reference", &r), ("blog", &b)] {
                if let Ok(answer) = answer {
                    println!("    {label} body: {}", shorten(&answer.text));
                }
            }
        }
    }
    println!("{compared} steps, {differences} differences");
    Ok(differences)
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let allow = args.allow_differences;
    match run(args).await {
        Ok(0) => ExitCode::SUCCESS,
        Ok(_) if allow => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("drf_diff: {e}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalise_hides_hosts_tokens_and_datetimes_but_keeps_their_shape() {
        assert_eq!(
            normalise("http://127.0.0.1:43121/api/articles/3/"),
            "http://<host>/api/articles/3/"
        );
        assert_eq!(normalise("eyJhbGciOiJIUzI1NiJ9.eyJ4IjoxfQ.c2ln"), "<token>");
        assert_eq!(
            normalise("2026-11-23T14:07:13.123456Z"),
            "<datetime.ddddddZ>"
        );
        assert_eq!(normalise("2026-11-23T14:07:13+01:00"), "<datetime+dd:dd>");
        assert_ne!(
            normalise("2026-11-23T14:07:13Z"),
            normalise("2026-11-23T14:07:13.5Z")
        );
    }

    #[test]
    fn ids_differ_only_through_captured_pairs() {
        let pairs = BTreeSet::from([(3, 7)]);
        let mut cmp = Comparer {
            id_pairs: &pairs,
            ignore: &[],
            differences: Vec::new(),
        };
        cmp.compare(
            "",
            &serde_json::json!({"id": 3, "url": "http://<host>/api/articles/3/", "count": 1}),
            &serde_json::json!({"id": 7, "url": "http://<host>/api/articles/7/", "count": 1}),
        );
        assert!(cmp.differences.is_empty(), "{:?}", cmp.differences);
        cmp.compare(
            "",
            &serde_json::json!({"id": 3, "b": 1}),
            &serde_json::json!({"id": 4, "b": 1}),
        );
        assert_eq!(cmp.differences, ["body /id: reference 3 | blog 4"]);
    }

    #[test]
    fn key_order_and_missing_keys_are_differences() {
        let pairs = BTreeSet::new();
        let mut cmp = Comparer {
            id_pairs: &pairs,
            ignore: &[],
            differences: Vec::new(),
        };
        cmp.compare(
            "",
            &serde_json::json!({"a": 1, "b": 2}),
            &serde_json::json!({"b": 2, "a": 1}),
        );
        cmp.compare(
            "",
            &serde_json::json!({"a": 1}),
            &serde_json::json!({"c": 1}),
        );
        assert_eq!(cmp.differences.len(), 2, "{:?}", cmp.differences);
    }
}
