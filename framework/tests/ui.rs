#![allow(missing_docs, clippy::unwrap_used)]
//! Compile-fail tests of the macros: each case in `ui/` is a misuse with its expected,
//! well-spanned error in the `.stderr` file beside it.

#[test]
fn ui() {
    // Compilation does not depend on the database engine: `scripts/test.sh` runs these once,
    // in its SQLite pass, not again in its PostgreSQL pass (`TEST_PG_URL` set).
    if rest_framework::test::db::postgres_url().is_some() {
        eprintln!("compile-fail tests skipped: they ran in the SQLite pass (TEST_PG_URL is set)");
        return;
    }
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}
