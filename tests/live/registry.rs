//! A stand-in Confluent Schema Registry for the schema-registration hook's script: the four
//! calls the script makes, with the status codes and JSON bodies Confluent documents in its
//! Schema Registry API reference (https://docs.confluent.io/platform/current/schema-registry/develop/api.html):
//!
//! - `PUT /config/{subject}` `{"compatibility": L}` -> 200 `{"compatibility": L}`; an unknown
//!   level -> 422 `{"error_code": 42203, ...}`.
//! - `POST /subjects/{subject}` (is this schema registered?) -> 200
//!   `{"subject", "id", "version", "schema"}`; 404 `{"error_code": 40401}` (no such subject) or
//!   `40403` (schema not found).
//! - `POST /compatibility/subjects/{subject}/versions/latest?verbose=true` -> 200
//!   `{"is_compatible": bool, "messages": [...]}`; 404 `40401` for a new subject.
//! - `POST /subjects/{subject}/versions` -> 200 `{"id": N}` (the existing id, no new version,
//!   when the schema is already registered); 409 `{"error_code": 409, "message": "Schema being
//!   registered is incompatible with an earlier schema for subject ..."}`.
//! - With credentials configured, a request without them -> 401 `{"error_code": 401}`.
//!
//! It is a stand-in because no real registry runs here (Confluent's is not on a reachable
//! registry; Karapace needs a Kafka broker). Its Avro compatibility check is deliberately small
//! and covers what the tests use: record fields by name, a field the reader has and the writer
//! lacks needs a `default`, a field's type must be equal or an Avro promotion
//! (int->long/float/double, long->float/double, float->double, string<->bytes); BACKWARD means
//! the new schema reads the old, FORWARD the reverse, FULL both, `_TRANSITIVE` against every
//! version, NONE nothing. Its verbose messages have the shape Confluent's have
//! (`{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'...', additionalInfo:'...'}`).
//! Listens on 127.0.0.1 (free port), one thread; stopped on drop.
#![allow(dead_code)]

use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

#[derive(Default, Debug, Clone)]
pub struct State {
    /// subject -> schemas (canonical JSON text) in version order, with their ids.
    pub subjects: BTreeMap<String, Vec<(u32, String)>>,
    pub config: BTreeMap<String, String>,
    pub next_id: u32,
    /// `METHOD path` of every request, in order.
    pub log: Vec<String>,
    /// `Authorization` header required of every request.
    pub auth: Option<String>,
}

pub struct Registry {
    pub url: String,
    pub state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    addr: std::net::SocketAddr,
}

impl Registry {
    /// `basic`: `(user, password)` every request must carry.
    pub fn start(basic: Option<(&str, &str)>) -> Registry {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("addr");
        let state = Arc::new(Mutex::new(State {
            next_id: 1,
            auth: basic.map(|(u, p)| format!("Basic {}", base64(&format!("{u}:{p}")))),
            ..State::default()
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let (s, st) = (state.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if st.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(c) = conn {
                    let _ = serve(c, &s);
                }
            }
        });
        Registry {
            url: format!("http://{addr}"),
            state,
            stop,
            thread: Some(thread),
            addr,
        }
    }

    pub fn snapshot(&self) -> State {
        self.state.lock().expect("state").clone()
    }

    /// Registers `schema` directly (an older version already in the registry).
    pub fn preload(&self, subject: &str, schema: &str) {
        let mut st = self.state.lock().expect("state");
        let id = st.next_id;
        st.next_id += 1;
        st.subjects
            .entry(subject.to_string())
            .or_default()
            .push((id, canonical(schema)));
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn base64(s: &str) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let b = s.as_bytes();
    let mut out = String::new();
    for chunk in b.chunks(3) {
        let n = chunk.iter().fold(0u32, |a, &x| (a << 8) | x as u32) << (8 * (3 - chunk.len()));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// One request per connection (curl sends one per invocation), bounded in size and time.
fn serve(mut c: TcpStream, state: &Mutex<State>) -> std::io::Result<()> {
    c.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut r = BufReader::new(c.try_clone()?);
    let mut line = String::new();
    r.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let (method, target) = (
        parts.next().unwrap_or("").to_string(),
        parts.next().unwrap_or("").to_string(),
    );
    let mut headers = BTreeMap::new();
    for _ in 0..100 {
        let mut h = String::new();
        if r.read_line(&mut h)? == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let len: usize = headers
        .get("content-length")
        .and_then(|l| l.parse().ok())
        .unwrap_or(0)
        .min(1 << 20);
    let mut body = vec![0; len];
    r.read_exact(&mut body)?;
    let (code, reply) = {
        let mut st = state.lock().expect("state");
        st.log.push(format!("{method} {target}"));
        if st.auth.is_some() && headers.get("authorization") != st.auth.as_ref() {
            (401, json!({"error_code": 401, "message": "Unauthorized"}))
        } else {
            handle(&mut st, &method, &target, &body)
        }
    };
    let text = reply.to_string();
    write!(
        c,
        "HTTP/1.1 {code} X\r\nContent-Type: application/vnd.schemaregistry.v1+json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
        text.len()
    )?;
    c.flush()
}

const LEVELS: [&str; 7] = [
    "NONE",
    "BACKWARD",
    "BACKWARD_TRANSITIVE",
    "FORWARD",
    "FORWARD_TRANSITIVE",
    "FULL",
    "FULL_TRANSITIVE",
];

/// Schema text as the registry compares it: parsed and re-serialized.
fn canonical(schema: &str) -> String {
    serde_json::from_str::<Value>(schema)
        .map(|v| v.to_string())
        .unwrap_or_else(|_| schema.to_string())
}

fn not_found_subject(subject: &str) -> (u16, Value) {
    (
        404,
        json!({"error_code": 40401, "message": format!("Subject '{subject}' not found.")}),
    )
}

fn handle(st: &mut State, method: &str, target: &str, body: &[u8]) -> (u16, Value) {
    let body: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let path = target.split('?').next().unwrap_or("");
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let schema = || body["schema"].as_str().map(canonical);
    match (method, segs.as_slice()) {
        ("PUT", ["config", subject]) => {
            let level = body["compatibility"].as_str().unwrap_or("");
            if !LEVELS.contains(&level) {
                return (
                    422,
                    json!({"error_code": 42203, "message": "Invalid compatibility level"}),
                );
            }
            st.config.insert(subject.to_string(), level.to_string());
            (200, json!({"compatibility": level}))
        }
        ("POST", ["subjects", subject]) => {
            let Some(versions) = st.subjects.get(*subject) else {
                return not_found_subject(subject);
            };
            let Some(s) = schema() else {
                return (
                    422,
                    json!({"error_code": 42201, "message": "Invalid schema"}),
                );
            };
            match versions.iter().position(|(_, t)| *t == s) {
                Some(i) => (
                    200,
                    json!({"subject": subject, "id": versions[i].0, "version": i + 1, "schema": s}),
                ),
                None => (
                    404,
                    json!({"error_code": 40403, "message": "Schema not found"}),
                ),
            }
        }
        ("POST", ["compatibility", "subjects", subject, "versions", "latest"]) => {
            let Some(versions) = st.subjects.get(*subject) else {
                return not_found_subject(subject);
            };
            let Some(s) = schema() else {
                return (
                    422,
                    json!({"error_code": 42201, "message": "Invalid schema"}),
                );
            };
            let level = st.config.get(*subject).map_or("BACKWARD", String::as_str);
            let latest = &versions[versions.len() - 1..];
            let messages = check(
                level,
                &s,
                if level.ends_with("_TRANSITIVE") {
                    versions
                } else {
                    latest
                },
            );
            (
                200,
                json!({"is_compatible": messages.is_empty(), "messages": messages}),
            )
        }
        ("POST", ["subjects", subject, "versions"]) => {
            let Some(s) = schema() else {
                return (
                    422,
                    json!({"error_code": 42201, "message": "Invalid schema"}),
                );
            };
            let level = st
                .config
                .get(*subject)
                .cloned()
                .unwrap_or_else(|| "BACKWARD".into());
            if let Some(versions) = st.subjects.get(*subject) {
                if let Some((id, _)) = versions.iter().find(|(_, t)| *t == s) {
                    return (200, json!({"id": id}));
                }
                let against = if level.ends_with("_TRANSITIVE") {
                    &versions[..]
                } else {
                    &versions[versions.len() - 1..]
                };
                let messages = check(&level, &s, against);
                if !messages.is_empty() {
                    return (
                        409,
                        json!({"error_code": 409, "message": format!(
                            "Schema being registered is incompatible with an earlier schema for subject \"{subject}\", details: [{}]",
                            messages.join(", "))}),
                    );
                }
            }
            let id = st.next_id;
            st.next_id += 1;
            st.subjects
                .entry(subject.to_string())
                .or_default()
                .push((id, s));
            (200, json!({"id": id}))
        }
        _ => (
            404,
            json!({"error_code": 404, "message": "HTTP 404 Not Found"}),
        ),
    }
}

/// Messages for every incompatibility of `new` against `olds` at `level` (empty: compatible).
fn check(level: &str, new: &str, olds: &[(u32, String)]) -> Vec<String> {
    let base = level.trim_end_matches("_TRANSITIVE");
    let mut out = Vec::new();
    let new_v: Value = serde_json::from_str(new).unwrap_or(Value::Null);
    for (i, (_, old)) in olds.iter().enumerate() {
        let old_v: Value = serde_json::from_str(old).unwrap_or(Value::Null);
        let mut errs = Vec::new();
        if matches!(base, "BACKWARD" | "FULL") {
            errs.extend(read_problems(&new_v, &old_v));
        }
        if matches!(base, "FORWARD" | "FULL") {
            errs.extend(read_problems(&old_v, &new_v));
        }
        if !errs.is_empty() {
            out.extend(errs);
            out.push(format!("{{oldSchemaVersion: {}}}", i + 1));
            out.push(format!("{{oldSchema: '{old}'}}"));
            out.push(format!("{{compatibility: '{level}'}}"));
        }
    }
    out
}

fn promotable(writer: &Value, reader: &Value) -> bool {
    writer == reader
        || matches!(
            (writer.as_str(), reader.as_str()),
            (Some("int"), Some("long" | "float" | "double"))
                | (Some("long"), Some("float" | "double"))
                | (Some("float"), Some("double"))
                | (Some("string"), Some("bytes"))
                | (Some("bytes"), Some("string"))
        )
}

/// Can `reader` read data written with `writer`? (records by field name only)
fn read_problems(reader: &Value, writer: &Value) -> Vec<String> {
    let empty = vec![];
    let rf = reader["fields"].as_array().unwrap_or(&empty);
    let wf = writer["fields"].as_array().unwrap_or(&empty);
    let mut out = Vec::new();
    for (i, f) in rf.iter().enumerate() {
        let name = f["name"].as_str().unwrap_or("");
        match wf.iter().find(|w| w["name"] == f["name"]) {
            None if f.get("default").is_none() => out.push(format!(
                "{{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field '{name}' at path '/fields/{i}' in the new schema has no default value and is missing in the old schema', additionalInfo:'{name}'}}"
            )),
            Some(w) if !promotable(&w["type"], &f["type"]) => out.push(format!(
                "{{errorType:'TYPE_MISMATCH', description:'The type (path '/fields/{i}/type') of a field in the new schema does not match with the old schema', additionalInfo:'reader type: {} not compatible with writer type: {}'}}",
                f["type"], w["type"]
            )),
            _ => {}
        }
    }
    out
}
