//! What a bundle's ksqlDB migrations are named and how large they may be: the rules the check
//! stage enforces and the plan ships by.

use crate::source::LoadedFile;

/// Largest migrations folder, measured as [`applied_size`] over file names and contents.
/// The files travel in one ConfigMap, and Argo CD's default client-side apply copies the whole
/// object into the `kubectl.kubernetes.io/last-applied-configuration` annotation, where all
/// annotations together may hold 256 KiB; 16 KiB are left for the rest of the object.
pub const MAX_MIGRATIONS_BYTES: usize = 240 * 1024;

/// A migration file name: `V<6 digits>__<description>.sql`, the version above zero and the
/// description of letters, digits, `_` and `-` (ksql-migrations shows `_` as a space; a dot
/// would confuse its parsing of the name, and the name must be a ConfigMap key).
/// Returns the version and the description.
pub fn parse_migration_name(name: &str) -> Option<(u32, &str)> {
    let rest = name.strip_prefix('V')?;
    let digits = rest.get(..6)?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let description = rest.get(6..)?.strip_prefix("__")?.strip_suffix(".sql")?;
    if description.is_empty()
        || !description
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        || name.len() > 253
    {
        return None;
    }
    let version: u32 = digits.parse().ok()?;
    (version > 0).then_some((version, description))
}

/// The file name part of a loaded file's display path.
pub fn file_name(f: &LoadedFile) -> &str {
    f.display.rsplit('/').next().unwrap_or(&f.display)
}

/// Bytes `text` takes once JSON-encoded the way kubectl writes the last-applied annotation:
/// quotes, backslashes and line breaks take two, `<`, `>`, `&` and other controls six.
pub fn applied_size(text: &str) -> usize {
    text.chars()
        .map(|c| match c {
            '"' | '\\' | '\n' | '\r' | '\t' => 2,
            '<' | '>' | '&' => 6,
            c if c.is_control() => 6,
            c => c.len_utf8(),
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applied_size_counts_json_escapes() {
        assert_eq!(applied_size("ab"), 2);
        assert_eq!(applied_size("a\nb"), 4);
        assert_eq!(applied_size("a<b"), 8);
        assert_eq!(applied_size("é"), 2);
    }
}
