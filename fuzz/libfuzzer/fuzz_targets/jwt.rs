#![no_main]
//! `fuzz_harness::jwt` under libFuzzer.
libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_harness::jwt(data));
