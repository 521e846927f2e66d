//! Every saved fuzz input, replayed on stable: `fuzz/corpus/<target>/*` (what libFuzzer
//! found interesting, a seed corpus under version control) and `fuzz/regressions/<target>/*`
//! (each crash it ever found, kept after the fix).

use std::path::Path;

#[test]
fn every_saved_input_passes_its_target() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut replayed = 0;
    for (name, target) in fuzz_harness::TARGETS {
        for kind in ["corpus", "regressions"] {
            let Ok(entries) = std::fs::read_dir(fuzz.join(kind).join(name)) else {
                continue;
            };
            let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
            paths.sort();
            for path in paths {
                let data = std::fs::read(&path).expect("read a saved input");
                let outcome = std::panic::catch_unwind(|| target(&data));
                assert!(
                    outcome.is_ok(),
                    "{} fails its target {name}",
                    path.display()
                );
                replayed += 1;
            }
        }
    }
    assert!(replayed > 0, "no saved fuzz input under {}", fuzz.display());
    println!("{replayed} saved inputs replayed");
}

/// The seed requests reach the views they name (not only the router's 404): each is
/// answered with a status a view gives.
#[test]
fn seed_requests_reach_their_views() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/request");
    let mut statuses = std::collections::BTreeMap::new();
    for entry in std::fs::read_dir(dir).expect("the request corpus") {
        let data = std::fs::read(entry.expect("entry").path()).expect("read");
        let first_line = String::from_utf8_lossy(&data)
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned();
        statuses.insert(first_line, fuzz_harness::request_status(&data));
    }
    for (request, status) in &statuses {
        println!("{status:?} {request}");
    }
    let not_found = statuses.values().filter(|s| **s == Some(404)).count();
    assert!(not_found <= 2, "{statuses:#?}");
}
