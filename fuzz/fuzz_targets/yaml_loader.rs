//! The YAML loader with its budgets: any bytes give documents or a diagnostic, never a panic.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = kbundle::source::read_stream(text, "fuzz.yaml");
    }
});
