//! Runs the differential checker (`src/bin/drf_diff.rs`) over its whole script when the DRF
//! reference app and its venv are available (skipped otherwise: CI may not have them).
//!
//! It checks the checker's health, not the absence of differences (that is the checker's own
//! report): the script parses, every request gets an answer from both servers (no crash, no
//! dropped connection), and every capture is found, so no later step runs with a `$variable`
//! left unreplaced.

use std::path::PathBuf;
use std::process::Command;

/// The reference app's directory: `BLOG_TESTS_REFERENCE`, else `shared/reference/drf_blog` next
/// to the checkout or to its parent (worktrees).
fn reference_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("BLOG_TESTS_REFERENCE") {
        return Some(PathBuf::from(dir));
    }
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    [
        "../../shared/reference/drf_blog",
        "../../../shared/reference/drf_blog",
    ]
    .iter()
    .map(|p| manifest.join(p))
    .find(|p| p.join("serve.sh").is_file())
}

/// Whether `serve.sh` will find a Python with the reference's packages.
fn venv_available() -> bool {
    if std::env::var_os("PYTHON").is_some() {
        return true;
    }
    let home = std::env::var_os("DRF_REF_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/drf_blog_ref")));
    home.is_some_and(|h| h.join("venv/bin/python").is_file())
}

#[test]
fn the_checker_replays_its_whole_script_against_both_servers() {
    let Some(reference) = reference_dir().filter(|_| venv_available()) else {
        eprintln!("skipped: no DRF reference app or venv (see README, `The differential checker`)");
        return;
    };
    let out = Command::new(env!("CARGO_BIN_EXE_drf_diff"))
        .arg("--reference")
        .arg(&reference)
        .arg("--allow-differences")
        .output()
        .expect("cannot run drf_diff");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report = format!("{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        out.status.success(),
        "drf_diff failed ({}):\n{report}",
        out.status
    );
    let summary = stdout.lines().last().unwrap_or_default();
    assert!(
        summary.ends_with(" differences") && summary.contains(" steps, "),
        "no summary line:\n{report}"
    );
    let broken: Vec<&str> = stdout
        .lines()
        .filter(|l| l.trim_start().starts_with("request:") || l.contains("not found in the"))
        .collect();
    assert!(
        broken.is_empty(),
        "steps that did not run properly: {broken:#?}\n{report}"
    );
}
