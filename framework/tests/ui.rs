//! Compile-fail tests of the macros: each case in `ui/` is a misuse with its expected,
//! well-spanned error in the `.stderr` file beside it.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}
