#![no_main]
//! `fuzz_harness::signed` under libFuzzer.
libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_harness::signed(data));
