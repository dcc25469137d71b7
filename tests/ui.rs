//! Compile-time behaviour: every unsupported construct and every user mistake is a
//! spanned compile error (`tests/ui/fail/*.rs` with their `.stderr`), and generated code
//! compiles warning-free under `#![deny(warnings)]` (`tests/ui/pass/*.rs`).
//!
//! Regenerate the snapshots with `TRYBUILD=overwrite cargo test --test ui` and review the
//! diff.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/fail/*.rs");
    cases.pass("tests/ui/pass/*.rs");
}
