//! `kbundle import`: reads what teams already run (Strimzi objects, JulieOps descriptors, a
//! kafka-gitops state file), emits AppBundles (and, where the input carries platform settings,
//! an Environment: `environment`) into a directory, and a report of everything that could not be carried over unchanged
//! (docs/reference/import.md).
//!
//! Layout: one module per peer (`strimzi`, `julie`, `kafka_gitops`), `roles` (ACLs lifted into kbundle roles),
//! `report` (findings with file and path), and here the shared pieces: field bookkeeping
//! ([`Taken`]: every input field is either read or reported) and writing the output.

pub mod environment;
pub mod julie;
pub mod kafka_gitops;
pub mod kafka_gitops_env;
pub mod prefix;
pub mod report;
pub mod roles;
pub mod strimzi;

use crate::model::bundle::{ApiVersion, AppBundleKind, AppBundleSpec};
use crate::model::{AppBundle, ConfigValue, Metadata};
use report::{Place, Report, Severity};
use serde_json::Value;
use std::collections::BTreeMap;

use crate::diag::Code;

/// What an import produced.
#[derive(Debug, Clone)]
pub struct Imported {
    pub bundles: Vec<AppBundle>,
    /// The Environment, as a document (only the settings the input carried).
    pub environment: Option<Value>,
    /// Other files (schemas) relative to the output directory, with their contents.
    pub files: Vec<(String, String)>,
}

/// An empty bundle.
pub fn bundle(name: &str, owner: &str) -> AppBundle {
    AppBundle {
        api_version: ApiVersion::V1alpha1,
        kind: AppBundleKind::AppBundle,
        metadata: Metadata {
            name: name.to_string(),
            namespace: None,
            labels: BTreeMap::new(),
            annotations: BTreeMap::new(),
        },
        spec: AppBundleSpec {
            owner: owner.to_string(),
            prefix: None,
            topics: Vec::new(),
            schemas: Vec::new(),
            principals: Vec::new(),
            connectors: Vec::new(),
            ksql: None,
            masking: Vec::new(),
            alerts: Vec::new(),
            tests: Vec::new(),
        },
    }
}

/// The strings of a list value (descriptors hold names as lists); anything else is none.
pub(crate) fn strs(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// A DNS-1123 label made of `text`: lowercase, other characters as `-`, at most 63.
pub fn sanitize_label(text: &str) -> String {
    let mut s: String = text
        .chars()
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                c
            } else {
                '-'
            }
        })
        .collect();
    s.truncate(63);
    let s = s.trim_matches('-').to_string();
    if s.is_empty() { "imported".into() } else { s }
}

/// An input document whose fields are taken out as they are read: what is left at the end is
/// what kbundle has no home for, and is reported ([`Taken::report_rest`]).
pub struct Taken {
    rest: Value,
}

/// Fields the API server sets; never part of what a team wrote.
const SERVER_SET: &[&str] = &[
    "status",
    "metadata.uid",
    "metadata.resourceVersion",
    "metadata.creationTimestamp",
    "metadata.generation",
    "metadata.managedFields",
    "metadata.selfLink",
    "metadata.finalizers",
    "metadata.annotations.kubectl.kubernetes.io/last-applied-configuration",
];

impl Taken {
    pub fn new(v: Value) -> Self {
        Taken { rest: v }
    }

    /// Remove and return the field at a dotted path. Label and annotation keys hold dots and
    /// slashes: the segment after `labels.`/`annotations.` is the whole rest of the path.
    pub fn take(&mut self, path: &str) -> Option<Value> {
        let segs = split_path(path);
        let (last, parents) = segs.split_last()?;
        let mut node = &mut self.rest;
        for s in parents {
            node = node.get_mut(s.as_str())?;
        }
        node.as_object_mut()?.remove(last.as_str())
    }

    pub fn peek_str(&self, path: &str) -> Option<String> {
        let mut node = &self.rest;
        for s in split_path(path) {
            node = node.get(s.as_str())?;
        }
        node.as_str().map(str::to_string)
    }

    /// A string field; a non-string stays in place (and is reported as unmapped).
    pub fn take_str(&mut self, path: &str) -> Option<String> {
        self.peek_str(path)?;
        self.take(path).and_then(|v| v.as_str().map(str::to_string))
    }

    pub fn take_u32(&mut self, path: &str, at: &Place, report: &mut Report) -> Option<u32> {
        let v = self.take(path)?;
        match v.as_u64().and_then(|n| u32::try_from(n).ok()) {
            Some(n) if n > 0 => Some(n),
            _ => {
                report.push(
                    at,
                    path,
                    Severity::Error,
                    Code::ImportInvalid,
                    format!("{v} is not a positive integer"),
                );
                None
            }
        }
    }

    /// A map of config values; entries that are not scalars are reported and left out.
    pub fn take_config(
        &mut self,
        path: &str,
        at: &Place,
        report: &mut Report,
    ) -> BTreeMap<String, ConfigValue> {
        let mut out = BTreeMap::new();
        match self.take(path) {
            None | Some(Value::Null) => {}
            Some(Value::Object(m)) => {
                for (k, v) in m {
                    match to_config(&v) {
                        Some(c) => {
                            out.insert(k, c);
                        }
                        None => report.push(
                            at,
                            format!("{path}.{k}"),
                            Severity::Error,
                            Code::ImportInvalid,
                            format!("config value {v} is not a string, number or boolean"),
                        ),
                    }
                }
            }
            Some(other) => report.push(
                at,
                path,
                Severity::Error,
                Code::ImportInvalid,
                format!("expected a mapping, found {other}"),
            ),
        }
        out
    }

    /// Report every field not taken: server-set ones as info, the rest as unmapped.
    pub fn report_rest(mut self, at: &Place, report: &mut Report) {
        for s in SERVER_SET {
            if self.take(s).is_some() {
                report.push(
                    at,
                    *s,
                    Severity::Info,
                    Code::ImportUnmapped,
                    "set by the API server; not part of the desired state",
                );
            }
        }
        let mut leaves = Vec::new();
        leaves_of(&self.rest, String::new(), &mut leaves);
        for (path, v) in leaves {
            let mut shown = v.to_string();
            if shown.len() > 80 {
                shown.truncate(77);
                shown.push_str("...");
            }
            report.push(
                at,
                path,
                Severity::Warning,
                Code::ImportUnmapped,
                format!("{shown}: no kbundle field holds this; not imported"),
            );
        }
    }
}

fn split_path(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = path;
    while !rest.is_empty() {
        let (seg, tail) = rest.split_once('.').unwrap_or((rest, ""));
        out.push(seg.to_string());
        rest = tail;
        if (seg == "labels" || seg == "annotations") && !rest.is_empty() {
            out.push(rest.to_string());
            break;
        }
    }
    out
}

fn leaves_of(v: &Value, path: String, out: &mut Vec<(String, Value)>) {
    let join = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                leaves_of(v, join(k), out);
            }
        }
        // A list is one field: its items have no meaning apart.
        _ if path.is_empty() => {}
        _ => out.push((path, v.clone())),
    }
}

fn to_config(v: &Value) -> Option<ConfigValue> {
    Some(match v {
        Value::Bool(b) => ConfigValue::Bool(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => ConfigValue::Int(i),
            None => ConfigValue::Float(n.as_f64()?),
        },
        Value::String(s) => ConfigValue::String(s.clone()),
        _ => return None,
    })
}

/// Drop empty lists and mappings: the model's defaults, noise in a hand-maintained file.
fn prune(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for x in m.values_mut() {
                prune(x);
            }
            m.retain(|_, x| match x {
                Value::Array(a) => !a.is_empty(),
                Value::Object(o) => !o.is_empty(),
                _ => true,
            });
        }
        Value::Array(a) => a.iter_mut().for_each(prune),
        _ => {}
    }
}

/// The files an import writes, relative to the output directory, with their contents.
pub fn files(imported: &Imported) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    if let Some(env) = &imported.environment {
        out.push((
            "environment.yaml".to_string(),
            crate::yaml::to_string(env).map_err(|e| e.message)?,
        ));
    }
    for b in &imported.bundles {
        let mut v = serde_json::to_value(b).map_err(|e| e.to_string())?;
        prune(&mut v);
        out.push((
            format!("{}.yaml", b.metadata.name),
            crate::yaml::to_string(&v).map_err(|e| e.message)?,
        ));
    }
    out.extend(imported.files.iter().cloned());
    Ok(out)
}

