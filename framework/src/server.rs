//! Serving an application over HTTP/1.1, what gunicorn does for a Django project, with the
//! limits that keep one client from holding the server:
//!
//! - **Header timeout** ([`ServerSettings::header_read_timeout`], 10 s): a request's line
//!   and headers must arrive within this time of its first byte. A client that sends half a
//!   request line and waits (slowloris) is disconnected.
//! - **Idle timeout** ([`ServerSettings::idle_timeout`], 60 s): a connection with no
//!   traffic either way for this long is closed, between requests (keep-alive) or during one
//!   (a body that stopped arriving, a client that stopped reading the response).
//! - **Connection limit** ([`ServerSettings::max_connections`], from the process's
//!   open-file limit): past it the server stops accepting until a connection ends, and asks
//!   its idle keep-alive connections to close, so that waiting clients get their turn
//!   instead of the process running out of file descriptors.
//! - **Graceful shutdown**: when `shutdown` completes the server stops accepting, closes the
//!   connections that are not in the middle of a request at once, lets requests in flight
//!   finish for up to [`ServerSettings::shutdown_timeout`] (30 s), then closes the rest.
//! - A handler that panics answers Django's `500` page; the server goes on.
//!
//! ```no_run
//! # async fn run(app: rest_framework::poem::endpoint::BoxEndpoint<'static>) -> std::io::Result<()> {
//! use rest_framework::server::{ServerSettings, serve};
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8000").await?;
//! serve(listener, app, &ServerSettings::default(), async {
//!     tokio::signal::ctrl_c().await.ok();
//! })
//! .await
//! # }
//! ```

use bytes::Bytes;
use futures_util::FutureExt;
use poem::http::StatusCode;
use poem::{Addr, Endpoint, IntoResponse};
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// How the server treats its connections (see the [module](self) documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerSettings {
    /// A request's line and headers must arrive within this time of its first byte.
    pub header_read_timeout: Duration,
    /// A connection without traffic for this long is closed.
    pub idle_timeout: Duration,
    /// How long a graceful shutdown waits for requests in flight.
    pub shutdown_timeout: Duration,
    /// The most connections served at once.
    pub max_connections: usize,
}

/// File descriptors kept for everything but client connections: database connections,
/// SQLite's files, logs, the listening socket.
const RESERVED_FILE_DESCRIPTORS: u64 = 64;

impl Default for ServerSettings {
    /// 10 s for headers, 60 s idle, 30 s to shut down, and as many connections as the
    /// open-file limit leaves room for ([`max_connections_for_open_files`]).
    fn default() -> Self {
        ServerSettings {
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            shutdown_timeout: Duration::from_secs(30),
            max_connections: max_connections_for_open_files(),
        }
    }
}

/// The process's open-file limit (`RLIMIT_NOFILE`), its soft limit first raised to the hard
/// one, less 64 descriptors kept for the database and files (at least 16, at most 65,536).
pub fn max_connections_for_open_files() -> usize {
    let limit = raise_open_files_limit().unwrap_or(1024);
    let connections = limit
        .saturating_sub(RESERVED_FILE_DESCRIPTORS)
        .clamp(16, 65_536);
    usize::try_from(connections).unwrap_or(65_536)
}

/// Raises the soft `RLIMIT_NOFILE` to the hard limit (many systems start processes at 1,024
/// with a far higher hard limit) and returns the soft limit now in force; `None` where the
/// limit cannot be read.
pub fn raise_open_files_limit() -> Option<u64> {
    #[cfg(unix)]
    {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: `getrlimit` and `setrlimit` read and write the plain struct passed to them.
        unsafe {
            if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
                return None;
            }
            if limit.rlim_cur < limit.rlim_max {
                let raised = libc::rlimit {
                    rlim_cur: limit.rlim_max,
                    rlim_max: limit.rlim_max,
                };
                if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                    limit.rlim_cur = limit.rlim_max;
                }
            }
        }
        #[allow(clippy::unnecessary_cast)] // `rlim_t` is not `u64` everywhere.
        Some(limit.rlim_cur as u64)
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// Serves `app` on `listener` until `shutdown` completes, then shuts down gracefully (see the
/// [module](self) documentation). Returns once every connection is closed.
pub async fn serve<E>(
    listener: TcpListener,
    app: E,
    settings: &ServerSettings,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()>
where
    E: Endpoint + 'static,
{
    let app = Arc::new(app);
    let local_addr = listener.local_addr()?;
    let slots = Arc::new(tokio::sync::Semaphore::new(settings.max_connections.max(1)));
    let tasks = TaskTracker::new();
    let stopping = CancellationToken::new();
    let forced = CancellationToken::new();
    let (pressure, _) = tokio::sync::watch::channel(0u64);
    tokio::pin!(shutdown);
    loop {
        let slot = match slots.clone().try_acquire_owned() {
            Ok(slot) => slot,
            Err(_) => {
                // Full: connections idle between requests make room for the clients
                // waiting, asked again every tenth of a second while none has.
                let wait = async {
                    loop {
                        pressure.send_modify(|n| *n += 1);
                        let acquired = tokio::time::timeout(
                            Duration::from_millis(100),
                            slots.clone().acquire_owned(),
                        );
                        if let Ok(slot) = acquired.await {
                            return slot;
                        }
                    }
                };
                tokio::select! {
                    () = &mut shutdown => break,
                    slot = wait => match slot {
                        Ok(slot) => slot,
                        Err(_) => break,
                    },
                }
            }
        };
        let (stream, remote_addr) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    // Out of file descriptors (or another transient failure): make room and
                    // try again shortly instead of spinning.
                    tracing::warn!("accepting a connection failed: {err}");
                    pressure.send_modify(|n| *n += 1);
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let connection = Connection {
            app: app.clone(),
            settings: settings.clone(),
            local_addr,
            remote_addr,
            stopping: stopping.clone(),
            forced: forced.clone(),
            pressure: pressure.subscribe(),
        };
        tasks.spawn(async move {
            connection.serve(stream).await;
            drop(slot);
        });
    }
    drop(listener);
    tasks.close();
    stopping.cancel();
    if tokio::time::timeout(settings.shutdown_timeout, tasks.wait())
        .await
        .is_err()
    {
        tracing::warn!(
            "{} connection(s) still busy after {:?}: closing them",
            tasks.len(),
            settings.shutdown_timeout
        );
        forced.cancel();
        tasks.wait().await;
    }
    Ok(())
}

/// Where a connection is in its request cycle: accepted, nothing received yet.
const FRESH: u8 = 3;
/// Between requests (keep-alive).
const IDLE: u8 = 0;
/// The first bytes of a request have arrived, not yet all its headers.
const HEAD: u8 = 1;
/// A request is being answered.
const BUSY: u8 = 2;

/// A connection's phase and the time of its last traffic, shared by its socket (which sees
/// the bytes) and its service (which sees the requests).
#[derive(Debug)]
struct Activity {
    clock: Instant,
    phase: AtomicU8,
    /// Milliseconds since `clock` of the last byte read or written.
    last_traffic: AtomicU64,
    /// Milliseconds since `clock` of the first byte of the request being read.
    head_started: AtomicU64,
}

impl Activity {
    fn new() -> Self {
        Activity {
            clock: Instant::now(),
            phase: AtomicU8::new(FRESH),
            last_traffic: AtomicU64::new(0),
            head_started: AtomicU64::new(0),
        }
    }

    fn now(&self) -> u64 {
        u64::try_from(self.clock.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn read(&self) {
        let now = self.now();
        self.last_traffic.store(now, Ordering::Relaxed);
        let phase = self.phase();
        if (phase == IDLE || phase == FRESH)
            && self
                .phase
                .compare_exchange(phase, HEAD, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            self.head_started.store(now, Ordering::Relaxed);
        }
    }

    fn wrote(&self) {
        self.last_traffic.store(self.now(), Ordering::Relaxed);
    }

    fn set_phase(&self, phase: u8) {
        self.last_traffic.store(self.now(), Ordering::Relaxed);
        self.phase.store(phase, Ordering::Relaxed);
    }

    fn phase(&self) -> u8 {
        self.phase.load(Ordering::Relaxed)
    }

    /// When the connection is to be closed if nothing happens before: the header deadline
    /// while a request's head arrives (a new connection's first request counts from the
    /// connection), else the idle deadline.
    fn deadline(&self, settings: &ServerSettings) -> Instant {
        let (since, timeout) = match self.phase() {
            FRESH | HEAD => (
                self.head_started.load(Ordering::Relaxed),
                settings.header_read_timeout,
            ),
            _ => (
                self.last_traffic.load(Ordering::Relaxed),
                settings.idle_timeout,
            ),
        };
        self.clock + Duration::from_millis(since) + timeout
    }
}

/// One accepted connection.
struct Connection<E> {
    app: Arc<E>,
    settings: ServerSettings,
    local_addr: SocketAddr,
    remote_addr: SocketAddr,
    /// Graceful shutdown began.
    stopping: CancellationToken,
    /// The shutdown timeout passed.
    forced: CancellationToken,
    /// Bumped when the server is full: connections idle between requests close.
    pressure: tokio::sync::watch::Receiver<u64>,
}

type ResponseBody = http_body_util::combinators::BoxBody<Bytes, io::Error>;

impl<E: Endpoint + 'static> Connection<E> {
    async fn serve(mut self, stream: TcpStream) {
        let activity = Arc::new(Activity::new());
        let io = hyper_util::rt::TokioIo::new(TrackedIo {
            inner: stream,
            activity: activity.clone(),
        });
        let service = {
            let activity = activity.clone();
            let app = self.app.clone();
            let local = poem::web::LocalAddr(Addr::SocketAddr(self.local_addr));
            let remote = poem::web::RemoteAddr(Addr::SocketAddr(self.remote_addr));
            hyper::service::service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                activity.set_phase(BUSY);
                let request = poem::Request::from((
                    request,
                    local.clone(),
                    remote.clone(),
                    poem::http::uri::Scheme::HTTP,
                ));
                let app = app.clone();
                let activity = activity.clone();
                async move {
                    let response = std::panic::AssertUnwindSafe(app.get_response(request))
                        .catch_unwind()
                        .await
                        .unwrap_or_else(|_| server_error());
                    activity.set_phase(IDLE);
                    let response: hyper::Response<ResponseBody> = response.into();
                    Ok::<_, std::convert::Infallible>(response)
                }
            })
        };
        let mut builder = hyper::server::conn::http1::Builder::new();
        // The header timeout is ours (from a request's first byte, not from the end of the
        // previous response, which would cut keep-alive connections to it).
        builder.timer(hyper_util::rt::TokioTimer::new());
        builder.header_read_timeout(None);
        let connection = builder.serve_connection(io, service);
        tokio::pin!(connection);
        let timer = tokio::time::sleep_until(activity.deadline(&self.settings).into());
        tokio::pin!(timer);
        let mut shutting_down = false;
        loop {
            tokio::select! {
                _ = connection.as_mut() => return,
                () = &mut timer => {
                    let deadline = activity.deadline(&self.settings);
                    if deadline <= Instant::now() {
                        return;
                    }
                    timer.as_mut().reset(deadline.into());
                }
                () = self.stopping.cancelled(), if !shutting_down => {
                    shutting_down = true;
                    if activity.phase() != BUSY {
                        return;
                    }
                    // Finish the request in flight, then close.
                    connection.as_mut().graceful_shutdown();
                }
                () = self.forced.cancelled() => return,
                changed = self.pressure.changed() => {
                    if changed.is_err() || activity.phase() == IDLE {
                        return;
                    }
                }
            }
        }
    }
}

/// Django's `500` page, for a handler that panicked.
fn server_error() -> poem::Response {
    tracing::error!("a request handler panicked; answered 500");
    const PAGE: &str = "\n<!doctype html>\n<html lang=\"en\">\n<head>\n  <title>Server Error (500)</title>\n</head>\n<body>\n  <h1>Server Error (500)</h1><p></p>\n</body>\n</html>\n";
    PAGE.with_status(StatusCode::INTERNAL_SERVER_ERROR)
        .with_content_type("text/html; charset=utf-8")
        .into_response()
}

pin_project_lite::pin_project! {
    /// A socket that reports its traffic to the connection's [`Activity`].
    struct TrackedIo {
        #[pin]
        inner: TcpStream,
        activity: Arc<Activity>,
    }
}

impl AsyncRead for TrackedIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.project();
        let before = buf.filled().len();
        let result = this.inner.poll_read(cx, buf);
        if matches!(result, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            this.activity.read();
        }
        result
    }
}

impl AsyncWrite for TrackedIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.project();
        let result = this.inner.poll_write(cx, buf);
        if matches!(result, Poll::Ready(Ok(n)) if n > 0) {
            this.activity.wrote();
        }
        result
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.project();
        let result = this.inner.poll_write_vectored(cx, bufs);
        if matches!(result, Poll::Ready(Ok(n)) if n > 0) {
            this.activity.wrote();
        }
        result
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().inner.poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().inner.poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    fn quick() -> ServerSettings {
        ServerSettings {
            header_read_timeout: Duration::from_millis(300),
            idle_timeout: Duration::from_millis(900),
            shutdown_timeout: Duration::from_secs(5),
            max_connections: 4,
        }
    }

    async fn start(
        settings: ServerSettings,
    ) -> (
        SocketAddr,
        tokio::sync::oneshot::Sender<()>,
        tokio::task::JoinHandle<io::Result<()>>,
    ) {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let app = poem::endpoint::make_sync(|req| {
            if req.uri().path() == "/panic" {
                panic!("a handler bug");
            }
            "hello"
        });
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            serve(listener, app, &settings, async {
                stopped.await.ok();
            })
            .await
        });
        (addr, stop, server)
    }

    async fn get(stream: &mut TcpStream, path: &str) -> String {
        let request = format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n");
        stream.write_all(request.as_bytes()).await.expect("write");
        let mut buf = vec![0; 4096];
        let n = stream.read(&mut buf).await.expect("read");
        String::from_utf8_lossy(&buf[..n]).into_owned()
    }

    /// Reads until the peer closes; how long that took.
    async fn closed_after(stream: &mut TcpStream) -> Duration {
        let started = Instant::now();
        let mut buf = [0; 64];
        loop {
            match tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buf)).await {
                Ok(Ok(0)) | Ok(Err(_)) => return started.elapsed(),
                Ok(Ok(_)) => {}
                Err(_) => panic!("the server never closed the connection"),
            }
        }
    }

    #[tokio::test]
    async fn a_half_sent_request_is_cut_at_the_header_timeout() {
        let (addr, _stop, _server) = start(quick()).await;
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        stream.write_all(b"GET / HT").await.expect("write");
        let waited = closed_after(&mut stream).await;
        assert!(waited < Duration::from_millis(850), "{waited:?}");
    }

    #[tokio::test]
    async fn keep_alive_lasts_the_idle_timeout() {
        let (addr, _stop, _server) = start(quick()).await;
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        assert!(get(&mut stream, "/").await.ends_with("hello"));
        // Longer than the header timeout between requests: still open.
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert!(get(&mut stream, "/").await.ends_with("hello"));
        let waited = closed_after(&mut stream).await;
        assert!(waited >= Duration::from_millis(700), "{waited:?}");
    }

    #[tokio::test]
    async fn a_panicking_handler_is_a_500_and_the_server_goes_on() {
        let (addr, _stop, _server) = start(quick()).await;
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        let answer = get(&mut stream, "/panic").await;
        assert!(answer.starts_with("HTTP/1.1 500"), "{answer}");
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        assert!(get(&mut stream, "/").await.ends_with("hello"));
    }

    #[tokio::test]
    async fn shutdown_closes_idle_connections_at_once() {
        let mut settings = quick();
        settings.header_read_timeout = Duration::from_secs(30);
        settings.idle_timeout = Duration::from_secs(30);
        let (addr, stop, server) = start(settings).await;
        let mut idle = TcpStream::connect(addr).await.expect("connect");
        assert!(get(&mut idle, "/").await.ends_with("hello"));
        let mut half = TcpStream::connect(addr).await.expect("connect");
        half.write_all(b"GET / HT").await.expect("write");
        tokio::time::sleep(Duration::from_millis(100)).await;
        let started = Instant::now();
        stop.send(()).expect("stop");
        server.await.expect("join").expect("serve");
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
        assert!(closed_after(&mut idle).await < Duration::from_secs(1));
        assert!(closed_after(&mut half).await < Duration::from_secs(1));
    }

    #[tokio::test]
    async fn a_full_server_makes_room_by_closing_idle_connections() {
        let mut settings = quick();
        settings.idle_timeout = Duration::from_secs(30);
        settings.max_connections = 2;
        let (addr, _stop, _server) = start(settings).await;
        let mut first = TcpStream::connect(addr).await.expect("connect");
        let mut second = TcpStream::connect(addr).await.expect("connect");
        assert!(get(&mut first, "/").await.ends_with("hello"));
        assert!(get(&mut second, "/").await.ends_with("hello"));
        // A third client is served: the idle ones are asked to close.
        let mut third = TcpStream::connect(addr).await.expect("connect");
        let answer = tokio::time::timeout(Duration::from_secs(3), get(&mut third, "/"))
            .await
            .expect("the third client waited for an idle connection's timeout");
        assert!(answer.ends_with("hello"), "{answer}");
    }
}
