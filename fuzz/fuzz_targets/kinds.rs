//! The AppBundle and Environment parsers (JSON Schema first, then serde) and the pipeline: any
//! document is rendered or refused with diagnostics, and never both.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (items, _) = kbundle::source::read_stream(text, "fuzz.yaml");
    for item in &items {
        let _ = kbundle::model::parse_app_bundle(&item.value);
        let _ = kbundle::model::parse_environment(&item.value);
    }
    let r = kbundle::render::render(items, None, &Default::default());
    assert!(!(r.has_errors() && !r.items.is_empty()), "output beside an error");
});
