use super::*;

// ---------------------------------------------------------------------------------------------
// YAML, independently of kbundle's own reader
// ---------------------------------------------------------------------------------------------

/// One YAML document as JSON (what `sigs.k8s.io/yaml` gives Go).
pub fn parse_yaml_document(text: &str) -> Result<Value, String> {
    serde_saphyr::from_str::<Value>(text).map_err(|e| format!("invalid YAML: {e}"))
}

/// The chunks of a YAML stream, split the way `k8s.io/apimachinery`'s `YAMLReader` splits:
/// at lines starting with `---` followed by nothing but blanks or a comment.
pub fn split_yaml_stream(text: &str) -> Result<Vec<String>, String> {
    let mut docs = Vec::new();
    let mut current = String::new();
    for line in text.split_inclusive('\n') {
        if let Some(rest) = line.strip_prefix("---") {
            let rest = rest.trim();
            if !rest.is_empty() && !rest.starts_with('#') {
                return Err(format!(
                    "invalid Yaml document separator: {}",
                    line.trim_end()
                ));
            }
            docs.push(std::mem::take(&mut current));
            continue;
        }
        current.push_str(line);
    }
    docs.push(current);
    Ok(docs)
}

/// `kube.SplitYAMLToString` followed by the repo-server's unmarshalling into `Unstructured`:
/// empty and `null` documents are skipped; every other one must be a Kubernetes object.
pub fn split_manifests(text: &str) -> Result<Vec<Value>, String> {
    let mut out = Vec::new();
    for (i, chunk) in split_yaml_stream(text)?.iter().enumerate() {
        let meaningful = chunk
            .lines()
            .any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
        if !meaningful {
            continue;
        }
        let value = parse_yaml_document(chunk)
            .map_err(|e| format!("failed to unmarshal manifest {i}: {e}\n{chunk}"))?;
        if value.is_null() {
            continue;
        }
        let problem = if !value.is_object() {
            Some("not a mapping")
        } else if value["kind"].as_str().is_none_or(str::is_empty) {
            Some("Object 'Kind' is missing")
        } else if value["apiVersion"].as_str().is_none_or(str::is_empty) {
            Some("Object 'apiVersion' is missing")
        } else if value
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            Some("metadata.name is missing")
        } else {
            None
        };
        if let Some(p) = problem {
            return Err(format!(
                "manifest {i} is not a Kubernetes object ({p}):\n{chunk}"
            ));
        }
        out.push(value);
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Globs: Go's filepath.Glob (discover.fileName) and zglob (discover.find.glob)
// ---------------------------------------------------------------------------------------------

/// Go's `filepath.Match` on one path element: `*`, `?`, `[...]` (with `^` and ranges) and `\`.
pub fn match_element(pattern: &[char], name: &[char]) -> Result<bool, String> {
    let Some((&p, prest)) = pattern.split_first() else {
        return Ok(name.is_empty());
    };
    match p {
        '*' => {
            // Every split is tried; the last one (nothing left) still parses the rest of the
            // pattern, so a malformed one is an error as in Go.
            for skip in 0..=name.len() {
                if match_element(prest, &name[skip..])? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        '?' => match name.split_first() {
            Some((_, nrest)) => match_element(prest, nrest),
            None => Ok(false),
        },
        '[' => {
            let mut i = 0;
            let negate = prest.first() == Some(&'^');
            if negate {
                i += 1;
            }
            let mut matched = false;
            let c = name.first().copied();
            let mut first = true;
            loop {
                let Some(&lo) = prest.get(i) else {
                    return Err("syntax error in pattern".into());
                };
                if lo == ']' && !first {
                    i += 1;
                    break;
                }
                first = false;
                let lo = if lo == '\\' {
                    i += 1;
                    *prest.get(i).ok_or("syntax error in pattern")?
                } else {
                    lo
                };
                i += 1;
                let mut hi = lo;
                if prest.get(i) == Some(&'-') && prest.get(i + 1).is_some_and(|&c| c != ']') {
                    i += 1;
                    hi = if prest[i] == '\\' {
                        i += 1;
                        *prest.get(i).ok_or("syntax error in pattern")?
                    } else {
                        prest[i]
                    };
                    i += 1;
                }
                if c.is_some_and(|c| lo <= c && c <= hi) {
                    matched = true;
                }
            }
            if c.is_none() || matched == negate {
                return Ok(false);
            }
            match_element(&prest[i..], &name[1..])
        }
        '\\' => {
            let (&lit, prest) = prest.split_first().ok_or("syntax error in pattern")?;
            match name.split_first() {
                Some((&n, nrest)) if n == lit => match_element(prest, nrest),
                _ => Ok(false),
            }
        }
        lit => match name.split_first() {
            Some((&n, nrest)) if n == lit => match_element(prest, nrest),
            _ => Ok(false),
        },
    }
}

pub fn has_meta(element: &str) -> bool {
    element.contains(['*', '?', '[', '\\'])
}

/// Lexical `filepath.Clean` of a relative pattern: `.` and empty elements dropped, `..` applied.
pub fn clean_elements(pattern: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for e in pattern.split('/') {
        match e {
            "" | "." => {}
            ".." => {
                if out.last().is_some_and(|l| l != "..") {
                    out.pop();
                } else {
                    out.push("..".into());
                }
            }
            e => out.push(e.to_string()),
        }
    }
    out
}

/// The paths below `base` that `pattern` matches, element by element. `**` (when `double_star`)
/// matches any number of directories, none included.
pub fn glob_below(base: &Path, pattern: &str, double_star: bool) -> Result<Vec<PathBuf>, String> {
    if double_star && pattern.contains(['{', '}']) {
        panic!("brace expansion in {pattern:?} is not simulated");
    }
    let mut current = vec![base.to_path_buf()];
    for element in clean_elements(pattern) {
        let mut next = Vec::new();
        for dir in &current {
            if double_star && element == "**" {
                // The directory itself and every directory below it.
                let mut stack = vec![dir.clone()];
                while let Some(d) = stack.pop() {
                    next.push(d.clone());
                    if let Ok(entries) = std::fs::read_dir(&d) {
                        for e in entries.flatten() {
                            if e.path().is_dir() {
                                stack.push(e.path());
                            }
                        }
                    }
                }
            } else if !has_meta(&element) {
                let p = dir.join(&element);
                if std::fs::symlink_metadata(&p).is_ok() {
                    next.push(p);
                }
            } else {
                let pattern: Vec<char> = element.chars().collect();
                // A malformed pattern is an error even when there is nothing to match.
                match_element(&pattern, &[])?;
                let Ok(entries) = std::fs::read_dir(dir) else {
                    continue;
                };
                for e in entries.flatten() {
                    let name: Vec<char> = e.file_name().to_string_lossy().chars().collect();
                    if match_element(&pattern, &name)? {
                        next.push(e.path());
                    }
                }
            }
        }
        next.sort();
        next.dedup();
        current = next;
    }
    Ok(current)
}
