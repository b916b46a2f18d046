use super::*;

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

pub const UNRELATED: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: unrelated
data:
  greeting: hello
";

/// A plain (non-kustomize) app: `apps/kafka/` with two bundles and the prod Environment.
pub fn plain_repo() -> Repo {
    let repo = Repo::empty();
    repo.write("README.md", "# platform\n")
        .write("apps/kafka/orders.yaml", ORDERS)
        .write("apps/kafka/payments.yaml", PAYMENTS)
        .write("apps/kafka/env/prod.yaml", PROD);
    repo
}

pub fn kind(v: &Value) -> &str {
    v["kind"].as_str().unwrap_or("")
}

pub fn name(v: &Value) -> &str {
    v.pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("")
}

pub fn label<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.pointer("/metadata/labels")?.get(key)?.as_str()
}

pub fn ids(objs: &[Value]) -> BTreeSet<(String, String)> {
    objs.iter()
        .map(|o| (kind(o).to_string(), name(o).to_string()))
        .collect()
}

pub fn count_kinds(objs: &[Value]) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for o in objs {
        *m.entry(kind(o).to_string()).or_default() += 1;
    }
    m
}

/// The `KB...` codes in a text.
pub fn codes(text: &str) -> BTreeSet<String> {
    let b = text.as_bytes();
    let mut out = BTreeSet::new();
    for i in 0..(b.len() + 1).saturating_sub(5) {
        if &b[i..i + 2] == b"KB"
            && b[i + 2..i + 5].iter().all(u8::is_ascii_digit)
            && b.get(i + 5).is_none_or(|c| !c.is_ascii_digit())
            && (i == 0 || !b[i - 1].is_ascii_alphanumeric())
        {
            out.insert(String::from_utf8_lossy(&b[i..i + 5]).into_owned());
        }
    }
    out
}

/// A failed generation as Argo CD sees it: non-zero exit, the code on stderr, nothing on stdout.
#[track_caller]
pub fn assert_refused(g: &Generated, code: &str, what: &str) {
    let (run, error) = g.err(what);
    assert!(!run.success(), "{what}: exited 0");
    assert!(
        codes(&run.stderr).contains(code),
        "{what}: stderr lacks {code}:\n{}",
        run.stderr
    );
    assert!(
        run.stdout.is_empty(),
        "{what}: a failed generate printed on stdout:\n{}",
        run.stdout
    );
    assert!(
        error.contains(code),
        "{what}: the UI message lacks {code}: {error}"
    );
}

/// Objects kbundle generated (managed-by kbundle), by the bundle they belong to.
pub fn by_bundle(objs: &[Value]) -> BTreeMap<String, Vec<&Value>> {
    let mut m: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
    for o in objs {
        if label(o, "app.kubernetes.io/managed-by") == Some("kbundle") {
            let b = label(o, "app.kubernetes.io/part-of").unwrap_or("(none)");
            m.entry(b.to_string()).or_default().push(o);
        }
    }
    m
}

/// Every generated Strimzi object is valid against the vendored CRDs (skipped, with the reason
/// printed, when the vendor directory is missing).
pub fn assert_strimzi_valid(objs: &[Value], context: &str) -> usize {
    let strimzi: Vec<&Value> = objs
        .iter()
        .filter(|o| {
            o["apiVersion"]
                .as_str()
                .is_some_and(|a| a.starts_with("kafka.strimzi.io/"))
        })
        .collect();
    for o in &strimzi {
        assert!(
            support::crds::STRIMZI_KINDS.contains(&kind(o)),
            "{context}: {} {} has no vendored CRD to check it against",
            o["apiVersion"],
            kind(o)
        );
    }
    let Some(crds) = support::crds::strimzi() else {
        return 0;
    };
    for o in &strimzi {
        crds.assert_valid(o, context);
    }
    strimzi.len()
}
