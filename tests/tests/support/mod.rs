//! Running the `example_blog` binary as a real process, shared by the command-line tests
//! (`cli.rs`, `management.rs`).
//!
//! Locating the binary: Cargo only sets `CARGO_BIN_EXE_<name>` for the binaries of the package
//! under test, and `example_blog` is another package (artifact dependencies are unstable). So
//! the tests take the target directory of this test executable (`<target>/<profile>/deps/cli-*`
//! → `<target>/<profile>/example_blog`, which follows `CARGO_TARGET_DIR` and the profile) and
//! run `cargo build -p example_blog` there once per test run, so the binary is never stale. If
//! that build fails (say, someone else's half-finished edit) and an older binary exists, the
//! tests warn and use it.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub const SECRET_KEY: &str = "cli-tests-secret-key-0123456789abcdefghijklmnopqrstuvwxyz";
pub const EMAIL: &str = "admin@example.com";

/// The `example_blog` binary, built (or checked up to date) once.
pub fn binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let exe = std::env::current_exe().expect("current_exe");
        // <target>/<profile>/deps/cli-<hash>
        let profile_dir = exe
            .parent()
            .and_then(Path::parent)
            .expect("the test executable is not in <target>/<profile>/deps")
            .to_path_buf();
        let binary = profile_dir.join(format!("example_blog{}", std::env::consts::EXE_SUFFIX));
        let target_dir = profile_dir.parent().expect("<target>").to_path_buf();
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.toml");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
        let mut cmd = Command::new(cargo);
        cmd.args(["build", "-p", "example_blog", "--bin", "example_blog"])
            .arg("--manifest-path")
            .arg(&manifest)
            .env("CARGO_TARGET_DIR", &target_dir);
        match profile_dir.file_name().and_then(|n| n.to_str()) {
            Some("debug") => {}
            Some("release") => {
                cmd.arg("--release");
            }
            Some(profile) => {
                cmd.args(["--profile", profile]);
            }
            None => {}
        }
        let out = cmd
            .output()
            .expect("cannot run cargo build -p example_blog");
        if !out.status.success() {
            let stderr = String::from_utf8_lossy(&out.stderr);
            if binary.exists() {
                eprintln!(
                    "WARNING: `cargo build -p example_blog` failed; testing the existing, possibly \
                     stale {}:\n{stderr}",
                    binary.display()
                );
            } else {
                panic!("`cargo build -p example_blog` failed:\n{stderr}");
            }
        }
        assert!(binary.exists(), "{} does not exist", binary.display());
        binary
    })
}

/// The binary in `dir`, with a clean environment for the blog's variables.
pub fn blog(dir: &Path) -> Command {
    let mut cmd = Command::new(binary());
    cmd.current_dir(dir)
        .env("SECRET_KEY", SECRET_KEY)
        .env("RUST_LOG", "info")
        .env_remove("DATABASE_URL")
        .env_remove("SUPERUSER_EMAIL")
        .env_remove("SUPERUSER_PASSWORD")
        .env_remove("PRODUCTION")
        .env_remove("ACCESS_TOKEN_LIFETIME")
        .env_remove("REFRESH_TOKEN_LIFETIME")
        .env_remove("ALLOWED_HOSTS")
        .env_remove("HEADER_READ_TIMEOUT")
        .env_remove("IDLE_TIMEOUT")
        .stdin(Stdio::null());
    cmd
}

pub fn run(mut cmd: Command) -> Output {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    println!(
        "{cmd:?} -> {}\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

pub fn describe(out: &Output) -> String {
    format!(
        "status {}\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

pub fn assert_success(out: &Output) {
    assert!(out.status.success(), "expected success\n{}", describe(out));
}

/// `createsuperuser --no-input --email EMAIL` with `SUPERUSER_PASSWORD=password`.
pub fn create_superuser(dir: &Path, password: &str) -> Output {
    let mut cmd = blog(dir);
    cmd.args(["createsuperuser", "--no-input", "--email", EMAIL])
        .env("SUPERUSER_PASSWORD", password);
    run(cmd)
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("cannot find a free port")
        .port()
}

/// A running `serve`; killed (if still running) when dropped.
pub struct Server {
    pub child: Child,
    pub base: String,
    pub log: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

impl Server {
    /// Starts `example_blog ARGS` in `dir` and waits until `GET /api/` answers.
    pub async fn start(dir: &Path, args: &[&str], addr: &str) -> Server {
        Self::start_with_env(dir, args, addr, &[]).await
    }

    /// [`Server::start`] with extra environment variables.
    pub async fn start_with_env(
        dir: &Path,
        args: &[&str],
        addr: &str,
        env: &[(&str, &str)],
    ) -> Server {
        let mut cmd = blog(dir);
        cmd.args(args).envs(env.iter().copied());
        Self::start_command(dir, cmd, addr).await
    }

    /// Starts `cmd` (a `serve` on `addr`, perhaps through a wrapper such as `bash -c 'ulimit
    /// -n 1024; exec ...'`), logging to a file in `dir`, and waits until `GET /api/` answers.
    pub async fn start_command(dir: &Path, mut cmd: Command, addr: &str) -> Server {
        let args: Vec<String> = cmd
            .get_args()
            .map(|arg| arg.to_string_lossy().into_owned())
            .collect();
        let log = dir.join(format!("serve-{}.log", addr.replace(':', "_")));
        let file = std::fs::File::create(&log).expect("server log");
        cmd.stdout(file.try_clone().expect("server log"))
            .stderr(file);
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
        let mut server = Server {
            child,
            base: format!("http://{addr}"),
            log,
        };
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(r) = client.get(format!("{}/api/", server.base)).send().await
                && r.status().is_success()
            {
                return server;
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!(
                    "example_blog {args:?} exited ({status}) before serving:\n{}",
                    server.log_text()
                );
            }
            assert!(
                Instant::now() < deadline,
                "example_blog {args:?} did not answer GET {}/api/ within 30 s:\n{}",
                server.base,
                server.log_text()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Sends SIGTERM and waits (up to 20 s) for the exit status.
    pub async fn terminate(self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let kill = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("cannot run kill");
        assert!(kill.success(), "kill -TERM {pid} failed");
        self.wait_exit().await
    }

    /// Waits (up to 20 s) for the process to exit; its exit status.
    pub async fn wait_exit(mut self) -> std::process::ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().expect("waitpid") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "example_blog did not stop within 20 s of SIGTERM:\n{}",
                self.log_text()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
