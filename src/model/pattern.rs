//! Names in roles: a topic, group or transactional id written exactly, or a prefix written
//! `name*`. Parsed here once, so every later stage sees the typed form.

/// A topic, group or transactional-id reference: exact, or a prefix written `name*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pattern<'a> {
    Literal(&'a str),
    Prefix(&'a str),
}

/// Parse `name` or `prefix*`. A bare `*` (everything) and a `*` anywhere else are refused:
/// a role never grants more than the names it lists.
pub fn parse_pattern(raw: &str) -> Result<Pattern<'_>, String> {
    if raw.is_empty() {
        return Err("is empty".into());
    }
    if raw == "*" {
        return Err("would match everything; roles grant access to named resources only (use raw acls for a wildcard)".into());
    }
    let (body, prefix) = match raw.strip_suffix('*') {
        Some(body) => (body, true),
        None => (raw, false),
    };
    if body.contains('*') {
        return Err("has `*` before the end; only a trailing `*` (prefix) is supported".into());
    }
    Ok(if prefix {
        Pattern::Prefix(body)
    } else {
        Pattern::Literal(body)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        assert_eq!(parse_pattern("a*"), Ok(Pattern::Prefix("a")));
        assert_eq!(parse_pattern("a"), Ok(Pattern::Literal("a")));
        assert!(parse_pattern("*").is_err());
        assert!(parse_pattern("a*b").is_err());
        assert!(parse_pattern("").is_err());
    }
}
