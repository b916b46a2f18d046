//! The connector-config template sandbox: any template renders (within its output cap) or fails
//! with a TemplateError, never panics or escapes.
#![no_main]
use kbundle::template::{ReferenceKind, TemplateContext};

fn reference(kind: ReferenceKind, ns: &str, name: &str, key: &str) -> String {
    format!("${{{kind:?}:{ns}/{name}:{key}}}")
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let ctx = TemplateContext {
        reference,
        env_name: "prod".into(),
        env_namespace: Some("kafka".into()),
        bundle_name: "orders".into(),
    };
    if let Ok(out) = kbundle::template::render(text, &ctx) {
        assert!(out.len() <= 1 << 20, "output over the cap");
    }
});
