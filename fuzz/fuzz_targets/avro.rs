//! The Avro parser and the compatibility checker: the input is split in two schemas at the
//! first NUL byte; each parsed pair is checked both ways.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (a, b) = text.split_once('\0').unwrap_or((text, text));
    let (Ok(sa), Ok(sb)) = (kbundle::avro::parse(a), kbundle::avro::parse(b)) else { return };
    for level in ["BACKWARD", "FORWARD", "FULL_TRANSITIVE"] {
        let _ = kbundle::avro::registry_verdict(a, &[b], level);
    }
    let _ = (sa, sb);
});
