//! KRM ResourceLists on stdin: items with the origins the orchestrator annotated.

use super::*;

/// A ResourceList read from a KRM function's stdin.
pub struct ResourceList {
    pub items: Vec<Item>,
    pub function_config: Option<Item>,
}

/// Parse a ResourceList (YAML or JSON). Item origins come from the orchestrator's path and index
/// annotations, so diagnostics name the user's files, not positions in the stream.
pub fn read_resource_list(text: &str) -> Result<ResourceList, Box<Diagnostic>> {
    let docs = yaml::parse_stream(text).map_err(|e| {
        Box::new(
            Diagnostic::error(
                Code::InputSyntax,
                format!("invalid ResourceList YAML: {}", e.message),
            )
            .with_file(Some("<stdin>".into()), Some(e.line)),
        )
    })?;
    let [doc] = <[yaml::Document; 1]>::try_from(docs).map_err(|docs| {
        Box::new(
            Diagnostic::error(
                Code::BadResourceList,
                format!(
                    "expected one ResourceList on stdin, found {} documents",
                    docs.len()
                ),
            )
            .with_hint("run `kbundle render` for plain YAML streams"),
        )
    })?;
    let kind = doc.value.get("kind").and_then(Value::as_str).unwrap_or("");
    if kind != "ResourceList" {
        return Err(Box::new(
            Diagnostic::error(
                Code::BadResourceList,
                format!("expected kind ResourceList on stdin, found {kind:?}"),
            )
            .with_hint("run `kbundle render -` for plain YAML streams"),
        ));
    }
    let mut items = Vec::new();
    let list = match doc.value.get("items") {
        None | Some(Value::Null) => &Vec::new(),
        Some(Value::Array(list)) => list,
        Some(_) => {
            // Regression: `items:` as a mapping was read as no items, and exited 0.
            return Err(Box::new(
                Diagnostic::error(
                    Code::BadResourceList,
                    "the ResourceList's items is not a list",
                )
                .with_hint("items is a list of Kubernetes objects"),
            ));
        }
    };
    for (i, v) in list.iter().enumerate() {
        if !is_object(v) {
            // Regression: scalar items were passed through as they were.
            return Err(Box::new(
                Diagnostic::error(
                    Code::BadResourceList,
                    format!("items[{i}] of the ResourceList is not a Kubernetes object (it needs apiVersion and kind)"),
                )
                .with_hint("every item is an object with apiVersion, kind and metadata"),
            ));
        }
        items.push(Item {
            value: v.clone(),
            origin: krm_origin(v, i),
        });
    }
    let function_config = doc
        .value
        .get("functionConfig")
        .filter(|v| !v.is_null())
        .map(|v| Item {
            value: v.clone(),
            origin: krm_origin(v, 0),
        });
    Ok(ResourceList {
        items,
        function_config,
    })
}

fn is_kbundle_item(v: &Value) -> bool {
    v.get("apiVersion")
        .and_then(Value::as_str)
        .is_some_and(|a| a.starts_with("kbundle.dev/"))
}

/// Whether the YAML file at `path` holds an object of the same kind and name as `v`.
fn holds_same_object(path: &Path, v: &Value) -> bool {
    let id = |o: &Value| {
        (
            o.get("kind").and_then(Value::as_str).map(str::to_string),
            o.pointer("/metadata/name")
                .and_then(Value::as_str)
                .map(str::to_string),
        )
    };
    let Ok(text) = super::read_text(path) else {
        return false;
    };
    yaml::parse_stream(&text)
        .map(|docs| docs.iter().any(|d| id(&d.value) == id(v)))
        .unwrap_or(false)
}

/// Whether `path` is `dir` or below it, after resolving `..` and links where they exist.
fn within(path: &Path, dir: &Path) -> bool {
    let real = |p: &Path| {
        std::fs::canonicalize(p).unwrap_or_else(|_| super::files::join_lexically(Path::new("/"), p))
    };
    real(path).starts_with(real(dir))
}

fn krm_origin(v: &Value, fallback_index: usize) -> Origin {
    let ann = |k: &str| {
        v.pointer("/metadata/annotations")
            .and_then(|a| a.get(k))
            .and_then(Value::as_str)
    };
    let file = ann("internal.config.kubernetes.io/path")
        .or_else(|| ann("config.kubernetes.io/path"))
        .map(str::to_string);
    let index = ann("internal.config.kubernetes.io/index")
        .or_else(|| ann("config.kubernetes.io/index"))
        .and_then(|s| s.parse().ok())
        .unwrap_or(fallback_index);
    // `kpt fn render` tells the package directory; `kpt fn eval` does not, and runs the function
    // in kpt's own working directory, which is the package when run as `kpt fn eval .`.
    // Trust that working directory only when the item's own file is really there: run from
    // elsewhere, a same-named file under kpt's directory must never be read instead.
    //
    // The package-path annotation is on the item, and the item is the user's: a bundle can carry
    // `internal.config.kubernetes.io/package-path: /` in its own file, and `kpt fn eval` or a
    // ResourceList on stdin passes it through. So it is believed only when it cannot widen where
    // kbundle reads: inside the working directory, or where it is what `kpt fn render` says —
    // a kpt package (a Kptfile) that really holds the item's own file. Anything else becomes the
    // working directory.
    let cwd = std::env::current_dir().ok();
    let root = match ann("internal.config.kubernetes.io/package-path") {
        Some(p) => cwd.as_ref().map(|cwd| {
            let claimed = cwd.join(p);
            let is_package = claimed.join("Kptfile").is_file()
                && file
                    .as_deref()
                    .is_some_and(|f| holds_same_object(&claimed.join(f), v));
            if within(&claimed, cwd) || is_package {
                claimed
            } else {
                cwd.clone()
            }
        }),
        None => cwd.and_then(|cwd| {
            is_kbundle_item(v)
                .then_some(file.as_deref())
                .flatten()
                .filter(|f| holds_same_object(&cwd.join(f), v))
                .map(|_| cwd)
        }),
    };
    let base_dir =
        root.as_ref().map(
            |r| match file.as_deref().and_then(|f| Path::new(f).parent()) {
                Some(dir) => r.join(dir),
                None => r.clone(),
            },
        );
    Origin {
        file,
        index,
        span: None,
        base_dir,
        root,
        base_dir_guessed: false,
        left_out: Vec::new(),
    }
}
