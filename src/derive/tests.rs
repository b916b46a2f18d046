//! Acceptance test settings both checked and planned: the variables kbundle reserves, and
//! timeouts as seconds.

/// Prefix of the variables kbundle sets; a test's own `env` may not use it.
pub const RESERVED_PREFIX: &str = "KBUNDLE_";

/// Seconds in a timeout such as `90s`, `10m`, `1h`, `1d`, `1w`, `1y` (365 days) or `1500ms`
/// (rounded up to whole seconds). `None` when the text is not such a duration, is zero, or is
/// too large to count.
pub fn timeout_seconds(text: &str) -> Option<i64> {
    let digits_end = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(digits_end);
    if digits.is_empty() {
        return None;
    }
    let n: i64 = digits.parse().ok()?;
    let seconds = match unit {
        "ms" => n.checked_add(999)? / 1000,
        "s" => n,
        "m" => n.checked_mul(60)?,
        "h" => n.checked_mul(3600)?,
        "d" => n.checked_mul(86_400)?,
        "w" => n.checked_mul(7 * 86_400)?,
        "y" => n.checked_mul(365 * 86_400)?,
        _ => return None,
    };
    (seconds > 0).then_some(seconds)
}
