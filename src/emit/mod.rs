//! Emit: the last stage. Reads objects one at a time as the backends make them, stamps what the
//! mode needs (kpt paths, local-config markers, origin stripping), filters, records each
//! object's identity, and writes it at once — a YAML stream, or a list for a ResourceList. No
//! stage before this one holds the whole output: a render at 100k topics keeps only one
//! bundle's objects in memory.

pub mod flux;
pub mod tree;

use crate::model::labels::{MANAGED_BY, MANAGER, PART_OF};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

pub const LOCAL_CONFIG: &str = "config.kubernetes.io/local-config";
const ORIGIN: &str = "config.kubernetes.io/origin";

/// Who an object is: what Kubernetes (and kustomize) identify it by.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Identity {
    pub api_version: String,
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
}

impl Identity {
    pub fn of(v: &Value) -> Identity {
        let s = |p: &str| v.pointer(p).and_then(Value::as_str).map(str::to_string);
        Identity {
            api_version: s("/apiVersion").unwrap_or_default(),
            kind: s("/kind").unwrap_or_default(),
            namespace: s("/metadata/namespace"),
            name: s("/metadata/name").unwrap_or_default(),
        }
    }
}

/// Writing the output failed: the process exits 2 (STYLE: a failed write is an I/O failure).
#[derive(Debug, thiserror::Error)]
pub enum EmitError {
    #[error("cannot write the output")]
    Io(#[source] std::io::Error),
    #[error("cannot write YAML")]
    Yaml(#[source] crate::yaml::YamlError),
}

impl EmitError {
    /// A closed pipe (`kbundle render | head`) is the reader's choice, not a failure.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, EmitError::Io(e) if e.kind() == std::io::ErrorKind::BrokenPipe)
    }

    /// The message with its cause, for stderr.
    pub fn describe(&self) -> String {
        match self {
            EmitError::Io(e) => format!("{self}: {e}"),
            EmitError::Yaml(e) => format!("{self}: {e}"),
        }
    }
}

/// Where emitted objects go.
pub trait Sink {
    fn write(&mut self, object: &Value) -> Result<(), EmitError>;
}

/// Objects kept in memory, for a ResourceList and for tests.
#[derive(Debug, Default)]
pub struct Collect(pub Vec<Value>);

impl Sink for Collect {
    fn write(&mut self, object: &Value) -> Result<(), EmitError> {
        self.0.push(object.clone());
        Ok(())
    }
}

/// Nothing: `kbundle check` renders only for the diagnostics.
pub struct Discard;

impl Sink for Discard {
    fn write(&mut self, _: &Value) -> Result<(), EmitError> {
        Ok(())
    }
}

/// A YAML stream (`---` between documents), each document written as soon as it is made.
pub struct YamlStream<W: Write> {
    out: W,
    buf: String,
    first: bool,
}

impl<W: Write> YamlStream<W> {
    pub fn new(out: W) -> Self {
        YamlStream {
            out,
            buf: String::new(),
            first: true,
        }
    }

    pub fn finish(mut self) -> Result<W, EmitError> {
        self.out.flush().map_err(EmitError::Io)?;
        Ok(self.out)
    }
}

impl<W: Write> Sink for YamlStream<W> {
    fn write(&mut self, object: &Value) -> Result<(), EmitError> {
        self.buf.clear();
        if !self.first {
            self.buf.push_str("---\n");
        }
        self.first = false;
        crate::yaml::append_document(&mut self.buf, object).map_err(EmitError::Yaml)?;
        self.out
            .write_all(self.buf.as_bytes())
            .map_err(EmitError::Io)
    }
}

/// What the mode asks of the output.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Remove `config.kubernetes.io/origin` from objects kbundle generated (kustomize stamps it
    /// when a kustomization asks for origin annotations; the cluster has no use for it).
    pub strip_origin: bool,
    /// Leave out local-config objects (they describe the package, not the cluster).
    pub drop_local_config: bool,
    /// Keep only these bundles' generated objects (objects of no bundle always stay).
    pub only_bundles: Option<Vec<String>>,
}

/// The emit stage: stamps and filters each object, then hands it to the sink.
pub struct Emitter<'a> {
    options: Options,
    sink: &'a mut dyn Sink,
    /// Objects written.
    pub count: usize,
    /// apiVersion → kinds of what was written.
    pub api_versions: BTreeMap<String, BTreeSet<String>>,
    /// Bundles whose generated objects went by (kept or filtered out).
    pub bundles_seen: BTreeSet<String>,
}

impl<'a> Emitter<'a> {
    pub fn new(options: Options, sink: &'a mut dyn Sink) -> Self {
        Emitter {
            options,
            sink,
            count: 0,
            api_versions: BTreeMap::new(),
            bundles_seen: BTreeSet::new(),
        }
    }

    pub fn emit(&mut self, mut v: Value) -> Result<(), EmitError> {
        let bundle = bundle_of(&v).map(str::to_string);
        if let Some(b) = &bundle {
            self.bundles_seen.insert(b.clone());
        }
        if self.options.drop_local_config && is_local_config(&v) {
            return Ok(());
        }
        if let (Some(only), Some(b)) = (&self.options.only_bundles, &bundle)
            && !only.iter().any(|w| w == b)
        {
            return Ok(());
        }
        if self.options.strip_origin && is_managed(&v) {
            strip_origin(&mut v);
        }
        let id = Identity::of(&v);
        if !id.api_version.is_empty() {
            self.api_versions
                .entry(id.api_version)
                .or_default()
                .insert(id.kind);
        }
        self.count += 1;
        self.sink.write(&v)
    }
}

/// Whether kbundle generated this object (its `app.kubernetes.io/managed-by` label).
pub fn is_managed(v: &Value) -> bool {
    label(v, MANAGED_BY) == Some(MANAGER)
}

/// The bundle a generated object belongs to.
pub fn bundle_of(v: &Value) -> Option<&str> {
    is_managed(v).then(|| label(v, PART_OF)).flatten()
}

fn label<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    v.get("metadata")?.get("labels")?.get(key)?.as_str()
}

pub fn is_local_config(v: &Value) -> bool {
    v.pointer("/metadata/annotations")
        .and_then(|a| a.get(LOCAL_CONFIG))
        .and_then(Value::as_str)
        == Some("true")
}

fn strip_origin(v: &mut Value) {
    let Some(meta) = v.get_mut("metadata").and_then(Value::as_object_mut) else {
        return;
    };
    let now_empty = match meta.get_mut("annotations").and_then(Value::as_object_mut) {
        Some(ann) => {
            ann.remove(ORIGIN);
            ann.is_empty()
        }
        None => false,
    };
    if now_empty {
        meta.remove("annotations");
    }
}

fn annotations_mut(v: &mut Value) -> Option<&mut Map<String, Value>> {
    let meta = v
        .as_object_mut()?
        .entry("metadata")
        .or_insert_with(|| Value::Object(Map::new()));
    let ann = meta
        .as_object_mut()?
        .entry("annotations")
        .or_insert_with(|| Value::Object(Map::new()));
    ann.as_object_mut()
}

/// Mark an input kind kept in the output as local-config: kpt would otherwise delete its file,
/// and kustomize drops local-config objects from its final output.
pub fn mark_local_config(mut v: Value) -> Value {
    if let Some(ann) = annotations_mut(&mut v)
        && !ann.contains_key(LOCAL_CONFIG)
    {
        ann.insert(LOCAL_CONFIG.into(), Value::String("true".into()));
    }
    v
}

/// Generated objects are written beside their bundle: `<bundle dir>/generated/<bundle>.yaml`.
pub fn generated_path(bundle_file: Option<&str>, bundle: &str) -> String {
    let dir = bundle_file
        .and_then(|f| f.rsplit_once('/').map(|(d, _)| d))
        .filter(|d| !d.is_empty());
    match dir {
        Some(d) => format!("{d}/generated/{bundle}.yaml"),
        None => format!("generated/{bundle}.yaml"),
    }
}

/// Where kpt writes a generated item (relative to the package) and its index in that file.
pub fn annotate_path(v: &mut Value, path: &str, index: usize) {
    if let Some(ann) = annotations_mut(v) {
        ann.insert(
            "internal.config.kubernetes.io/path".into(),
            Value::String(path.into()),
        );
        ann.insert(
            "internal.config.kubernetes.io/index".into(),
            Value::String(index.to_string()),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn managed(bundle: &str) -> Value {
        json!({"apiVersion": "v1", "kind": "ConfigMap",
               "metadata": {"name": bundle, "labels": {MANAGED_BY: MANAGER, PART_OF: bundle},
                            "annotations": {ORIGIN: "path: a.yaml"}}})
    }

    #[test]
    fn yaml_stream_matches_the_whole_stream_writer() {
        let objects = vec![managed("a"), json!({"kind": "X"}), managed("b")];
        let mut sink = YamlStream::new(Vec::new());
        for o in &objects {
            sink.write(o).expect("write");
        }
        let bytes = sink.finish().expect("flush");
        let whole = crate::yaml::to_stream(&objects).expect("yaml");
        assert_eq!(String::from_utf8(bytes).expect("utf8"), whole);
    }

    #[test]
    fn filters_stamps_and_identity() {
        let mut sink = Collect::default();
        let opts = Options {
            strip_origin: true,
            drop_local_config: true,
            only_bundles: Some(vec!["a".into()]),
        };
        let mut e = Emitter::new(opts, &mut sink);
        e.emit(managed("a")).expect("emit");
        e.emit(managed("b")).expect("emit");
        e.emit(mark_local_config(
            json!({"apiVersion": "v1", "kind": "ConfigMap"}),
        ))
        .expect("emit");
        assert_eq!(e.count, 1);
        assert_eq!(e.bundles_seen, BTreeSet::from(["a".into(), "b".into()]));
        assert_eq!(e.api_versions["v1"], BTreeSet::from(["ConfigMap".into()]));
        assert!(sink.0[0]["metadata"].get("annotations").is_none());
        assert_eq!(Identity::of(&sink.0[0]).name, "a");
    }
}
