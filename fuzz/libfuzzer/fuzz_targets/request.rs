#![no_main]
//! `fuzz_harness::request` under libFuzzer.
libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_harness::request(data));
