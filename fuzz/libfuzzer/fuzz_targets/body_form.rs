#![no_main]
//! `fuzz_harness::body_form` under libFuzzer.
libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_harness::body_form(data));
