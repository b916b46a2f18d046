//! The KRM function's stdin reader, then the whole pipeline on what it accepted.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(rl) = kbundle::source::read_resource_list(text)
    {
        let _ = kbundle::render::render(rl.items, rl.function_config, &Default::default());
    }
});
