//! The allowlist check: a scan that follows Tera 2's lexer (markers, whitespace control, raw
//! blocks, string quoting) closely enough to see every tag, function, filter and variable.
//! Anything it cannot follow (unclosed string, tag, comment or raw block; a tag without a name)
//! is an error here rather than left to Tera.

use super::sandbox::{
    ALLOWED_FILTERS, ALLOWED_TAGS, FUNCTIONS, KEYWORDS, LOADING_TAGS, NO_NAMESPACE, VARIABLES,
};
use super::{TemplateContext, TemplateError};
use crate::suggest::did_you_mean;

pub(super) fn check_allowed(src: &str, ctx: &TemplateContext) -> Result<(), TemplateError> {
    let b = src.as_bytes();
    let mut i = 0;
    while let Some(start) = find_marker(b, i) {
        let mut j = start + 2;
        if b.get(j) == Some(&b'-') {
            j += 1;
        }
        let unclosed = |what: &str| TemplateError::at(format!("{what} is not closed"), src, start);
        i = match b[start + 1] {
            b'#' => find(b, j, b"#}").ok_or_else(|| unclosed("`{#`"))? + 2,
            b'{' => scan_expression(src, start, j, b"}}", false, ctx)?,
            _ => {
                if let Some(len) = skip_tag(&src[j..], "raw") {
                    i = find_endraw(src, j + len).ok_or_else(|| unclosed("`{% raw %}`"))?;
                    continue;
                }
                let name_at = skip_whitespace(b, j);
                let name_end = ident_end(b, name_at);
                let name = &src[name_at..name_end];
                if name.is_empty() {
                    return Err(TemplateError::at(
                        "expected a tag name after `{%`",
                        src,
                        name_at,
                    ));
                }
                if !ALLOWED_TAGS.contains(&name) {
                    return Err(TemplateError::at(tag_refusal(name), src, name_at));
                }
                scan_expression(src, start, name_end, b"%}", name == "filter", ctx)?
            }
        };
    }
    Ok(())
}

fn tag_refusal(name: &str) -> String {
    if LOADING_TAGS.contains(&name) {
        format!(
            "`{{% {name} %}}` is not available in connector config templates: a template cannot \
             load other templates or files"
        )
    } else {
        format!(
            "`{{% {name} %}}` is not available in connector config templates; allowed tags: {}",
            ALLOWED_TAGS.join(", ")
        )
    }
}

/// Tera's `find_start_marker`: the first `{{`, `{%` or `{#` at or after `from`.
fn find_marker(b: &[u8], from: usize) -> Option<usize> {
    b.get(from..)?
        .windows(2)
        .position(|w| w == b"{{" || w == b"{%" || w == b"{#")
        .map(|p| from + p)
}

fn find(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    b.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

/// Tera's `skip_tag`: `s` starts right after `{%`; the length of `[-] name [-]%}` if it is
/// exactly that tag.
fn skip_tag(s: &str, name: &str) -> Option<usize> {
    let rest = s.strip_prefix('-').unwrap_or(s);
    let rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace());
    let rest = rest.strip_prefix(name)?;
    let rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace());
    let rest = rest.strip_prefix('-').unwrap_or(rest);
    let rest = rest.strip_prefix("%}")?;
    Some(s.len() - rest.len())
}

/// The offset just past the `{% endraw %}` closing a raw block whose body starts at `from`.
fn find_endraw(src: &str, from: usize) -> Option<usize> {
    let mut at = from;
    loop {
        let open = find(src.as_bytes(), at, b"{%")? + 2;
        if let Some(len) = skip_tag(&src[open..], "endraw") {
            return Some(open + len);
        }
        at = open;
    }
}

fn skip_whitespace(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(u8::is_ascii_whitespace) {
        i += 1;
    }
    i
}

/// Tera identifiers: `[A-Za-z_][A-Za-z0-9_]*`.
fn ident_end(b: &[u8], start: usize) -> usize {
    let mut i = start;
    while let Some(&c) = b.get(i) {
        let ok = c == b'_' || c.is_ascii_alphabetic() || (i > start && c.is_ascii_digit());
        if !ok {
            break;
        }
        i += 1;
    }
    i
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok<'a> {
    Ident(&'a str),
    Punct(&'a str),
    Literal,
}

/// Tokenizes the inside of `{{ }}` / `{% %}` (opened at `open`) from `from` up to `end` and
/// checks it. Returns the offset past `end`.
fn scan_expression(
    src: &str,
    open: usize,
    from: usize,
    end: &[u8],
    filter_tag: bool,
    ctx: &TemplateContext,
) -> Result<usize, TemplateError> {
    let b = src.as_bytes();
    let mut toks: Vec<(Tok, usize)> = Vec::new();
    let mut i = from;
    let close = loop {
        i = skip_whitespace(b, i);
        let Some(&c) = b.get(i) else {
            let marker = String::from_utf8_lossy(&b[open..open + 2]);
            return Err(TemplateError::at(
                format!("`{marker}` is not closed"),
                src,
                open,
            ));
        };
        if b[i..].starts_with(end) {
            break i + end.len();
        }
        let start = i;
        let tok = if c == b'"' || c == b'\'' || c == b'`' {
            // Tera's string lexing: backslash escapes the next byte.
            i += 1;
            loop {
                match b.get(i) {
                    None => {
                        return Err(TemplateError::at("string is not closed", src, start));
                    }
                    Some(b'\\') => i += 2,
                    Some(&q) if q == c => break,
                    Some(_) => i += 1,
                }
            }
            i += 1;
            Tok::Literal
        } else if c == b'_' || c.is_ascii_alphabetic() {
            i = ident_end(b, i);
            Tok::Ident(&src[start..i])
        } else if c.is_ascii_digit() {
            while b
                .get(i)
                .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c == b'.')
            {
                i += 1;
            }
            Tok::Literal
        } else {
            let len = ["...", "?.", "?[", "==", "!=", "<=", ">=", "//", "**", "</"]
                .iter()
                .find(|op| b[i..].starts_with(op.as_bytes()))
                .map_or_else(
                    || src[i..].chars().next().map_or(1, char::len_utf8),
                    |op| op.len(),
                );
            i += len;
            Tok::Punct(&src[start..i])
        };
        toks.push((tok, start));
    };
    check_tokens(src, &toks, filter_tag, ctx)?;
    Ok(close)
}

fn check_tokens(
    src: &str,
    toks: &[(Tok, usize)],
    filter_tag: bool,
    ctx: &TemplateContext,
) -> Result<(), TemplateError> {
    let tok = |i: usize| toks.get(i).map(|t| t.0);
    for (i, &(t, at)) in toks.iter().enumerate() {
        let Tok::Ident(name) = t else { continue };
        let prev = if i == 0 { None } else { tok(i - 1) };
        let prev2 = if i < 2 { None } else { tok(i - 2) };
        let is_filter = match prev {
            Some(Tok::Punct("|")) => true,
            None => filter_tag,
            _ => false,
        };
        if is_filter {
            if !ALLOWED_FILTERS.contains(&name) {
                return Err(TemplateError::at(
                    unavailable("filter", name, ALLOWED_FILTERS),
                    src,
                    at,
                ));
            }
            continue;
        }
        let after_is = prev == Some(Tok::Ident("is"))
            || (prev == Some(Tok::Ident("not")) && prev2 == Some(Tok::Ident("is")));
        let attribute = matches!(prev, Some(Tok::Punct("." | "?.")));
        if after_is || attribute || KEYWORDS.contains(&name) {
            continue;
        }
        match tok(i + 1) {
            Some(Tok::Punct("(")) => {
                if !FUNCTIONS.contains(&name) {
                    return Err(TemplateError::at(function_refusal(name), src, at));
                }
            }
            // A keyword argument's name.
            Some(Tok::Punct("=")) => {}
            next => check_variable(src, name, at, next, toks.get(i + 2), tok(i + 3), ctx)?,
        }
    }
    Ok(())
}

/// Only `env.name`, `env.namespace` and `bundle.name` exist, and checking them here (rather
/// than leaving it to Tera) matters: Tera 2 renders an undefined value as empty text in
/// several places (`~`, `if`, `?.`), which would silently produce a wrong config value.
fn check_variable(
    src: &str,
    name: &str,
    at: usize,
    next: Option<Tok>,
    field: Option<&(Tok, usize)>,
    after_field: Option<Tok>,
    ctx: &TemplateContext,
) -> Result<(), TemplateError> {
    let fields: &[&str] = match name {
        "env" => &["name", "namespace"],
        "bundle" => &["name"],
        _ => {
            let known = ["env", "bundle"];
            let hint = did_you_mean(name, known)
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            return Err(TemplateError::at(
                format!("unknown variable `{name}`{hint}; available: {VARIABLES}"),
                src,
                at,
            ));
        }
    };
    let Some(&(Tok::Ident(field), field_at)) =
        field.filter(|_| matches!(next, Some(Tok::Punct("." | "?."))))
    else {
        return Err(TemplateError::at(
            format!("`{name}` must be used with a field: {VARIABLES}"),
            src,
            at,
        ));
    };
    if !fields.contains(&field) {
        return Err(TemplateError::at(
            format!("`{name}` has no field `{field}`; available: {VARIABLES}"),
            src,
            field_at,
        ));
    }
    if name == "env" && field == "namespace" && ctx.env_namespace.is_none() {
        return Err(TemplateError::at(NO_NAMESPACE, src, at));
    }
    if let Some(Tok::Punct("." | "?.")) = after_field {
        return Err(TemplateError::at(
            format!("`{name}.{field}` is a string and has no fields"),
            src,
            field_at,
        ));
    }
    Ok(())
}

fn function_refusal(name: &str) -> String {
    let hint = did_you_mean(name, FUNCTIONS.iter().copied())
        .map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default();
    format!(
        "function `{name}` is not available in connector config templates{hint}: templates have \
         no file, environment, network, clock or random access; available functions: \
         secret(name=..., key=...), configmap(name=..., key=...)"
    )
}

fn unavailable(what: &str, name: &str, allowed: &[&str]) -> String {
    let hint = did_you_mean(name, allowed.iter().copied())
        .map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default();
    format!(
        "{what} `{name}` is not available in connector config templates{hint}; available: {}",
        allowed.join(", ")
    )
}
