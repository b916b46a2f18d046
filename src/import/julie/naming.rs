//! JulieOps' naming settings, read from its properties file (`--properties`), and the names they
//! build. Followed from JulieOps' source (github.com/kafka-ops/julie):
//! - `Constants.java`: `topology.topic.prefix.format`, `topology.project.prefix.format`,
//!   `topology.topic.prefix.separator`, `topology.acls.optimized`; defaults in
//!   `src/main/resources/reference.conf` (`default`, `default`, `.`, `false`);
//! - `Configuration#validate`: both formats are set together, and the topic format starts with
//!   the project format;
//! - `model/Impl/ProjectImpl.java#namePrefix`: `default` is the context, the other top-level
//!   keys in file order and the project name, each followed by the separator; otherwise the
//!   project format rendered (Jinjava, `utils/JinjaUtils.java`) over those same variables;
//! - `model/Topic.java#toString`: `default` is the project prefix, the topic name and
//!   `<separator><dataType>`; `name` is the topic name alone; otherwise the topic format
//!   rendered over the variables plus `topic` and `dataType`.
//!
//! Only `{{ variable }}` placeholders are rendered; other Jinja syntax (tags, filters) is
//! refused rather than guessed. An undefined variable renders empty, as Jinjava does.

use super::*;

/// The settings, as read (defaults as JulieOps' `reference.conf`).
#[derive(Debug, Clone)]
pub struct Naming {
    pub topic_format: String,
    pub project_format: String,
    pub separator: String,
    pub optimized_acls: bool,
}

impl Default for Naming {
    fn default() -> Self {
        Naming {
            topic_format: "default".into(),
            project_format: "default".into(),
            separator: ".".into(),
            optimized_acls: false,
        }
    }
}

/// Keys of JulieOps' properties file read here; every other `topology.*` key is reported.
const READ: &[&str] = &[
    "topology.topic.prefix.format",
    "topology.project.prefix.format",
    "topology.topic.prefix.separator",
    "topology.acls.optimized",
    "schema.registry.url",
    "platform.server.ksql.url",
];

/// A Java properties file: `key=value` or `key: value` lines, `#`/`!` comments. Returns the
/// pairs in file order.
pub fn parse_properties(text: &str) -> Vec<(usize, String, String)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let l = line.trim();
        if l.is_empty() || l.starts_with('#') || l.starts_with('!') {
            continue;
        }
        let cut = l.find(['=', ':']).unwrap_or(l.len());
        let (k, v) = l.split_at(cut);
        let v = v.get(1..).unwrap_or("").trim();
        out.push((i + 1, k.trim().to_string(), v.to_string()));
    }
    out
}

/// Read the naming settings (and the URLs the Environment needs) from a properties file.
pub fn read_properties(
    file: &str,
    text: &str,
    given: &mut crate::import::environment::Given,
    report: &mut Report,
) -> Naming {
    let at = Place {
        file: file.to_string(),
        document: 0,
        object: "properties".into(),
    };
    let mut n = Naming::default();
    for (line, k, v) in parse_properties(text) {
        match k.as_str() {
            "topology.topic.prefix.format" => n.topic_format = v,
            "topology.project.prefix.format" => n.project_format = v,
            "topology.topic.prefix.separator" => n.separator = v,
            "topology.acls.optimized" => n.optimized_acls = v.eq_ignore_ascii_case("true"),
            "schema.registry.url" => given.schema_registry_url = Some(v),
            "platform.server.ksql.url" => given.ksqldb_url = Some(v),
            _ if k.starts_with("topology.") && !READ.contains(&k.as_str()) => report.push(
                &at,
                format!("line {line}: {k}"),
                Severity::Warning,
                Code::ImportUnmapped,
                "JulieOps setting not read by the importer: not imported",
            ),
            // Connection settings (bootstrap servers, SASL, TLS): how JulieOps reaches the
            // cluster, not what it creates. Values are never shown: they may be credentials.
            _ => report.push(
                &at,
                format!("line {line}: {k}"),
                Severity::Info,
                Code::ImportUnmapped,
                "connection setting of JulieOps itself: not part of the topology",
            ),
        }
    }
    let topic_default = n.topic_format == "default";
    let project_default = n.project_format == "default";
    if topic_default != project_default {
        report.push(
            &at,
            "topology.topic.prefix.format",
            Severity::Error,
            Code::ImportInvalid,
            "JulieOps needs topology.topic.prefix.format and topology.project.prefix.format defined together (Configuration#validate)",
        );
    } else if !n.topic_format.starts_with(&n.project_format) {
        report.push(
            &at,
            "topology.topic.prefix.format",
            Severity::Error,
            Code::ImportInvalid,
            "JulieOps needs topology.topic.prefix.format to start with topology.project.prefix.format (Configuration#validate)",
        );
    }
    for (k, f) in [
        ("topology.topic.prefix.format", &n.topic_format),
        ("topology.project.prefix.format", &n.project_format),
    ] {
        if let Err(e) = render(f, &BTreeMap::new()) {
            report.push(&at, k, Severity::Error, Code::ImportInvalid, e);
        }
    }
    n
}

/// Render `{{ name }}` placeholders over `vars`; an undefined name renders empty (Jinjava).
pub fn render(format: &str, vars: &BTreeMap<String, String>) -> Result<String, String> {
    if format.contains("{%") || format.contains("{#") {
        return Err(format!(
            "{format:?}: Jinja tags and comments are not rendered by the importer; only {{{{ variable }}}}"
        ));
    }
    let mut out = String::new();
    let mut rest = format;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            return Err(format!("{format:?}: `{{{{` without `}}}}`"));
        };
        let name = after[..end].trim();
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!(
                "{format:?}: {name:?} is not a plain variable (filters and expressions are not rendered)"
            ));
        }
        out.push_str(vars.get(name).map(String::as_str).unwrap_or(""));
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The variables of one project: `context`, the other top-level keys, `project`.
pub struct ProjectNames {
    pub vars: BTreeMap<String, String>,
    /// `ProjectImpl#namePrefix`: ends with the separator in the default format.
    pub prefix: String,
}

impl Naming {
    /// `ProjectImpl#namePrefix` for project `name` with the topology's ordered keys.
    pub fn project(&self, keys: &[(String, String)], name: &str) -> Result<ProjectNames, String> {
        let mut vars: BTreeMap<String, String> = keys.iter().cloned().collect();
        vars.insert("project".into(), name.to_string());
        let prefix = if self.project_format == "default" {
            let mut s = String::new();
            for (i, (_, v)) in keys.iter().enumerate() {
                if i > 0 {
                    s.push_str(&self.separator);
                }
                s.push_str(v);
            }
            format!("{s}{sep}{name}{sep}", sep = self.separator)
        } else {
            render(&self.project_format, &vars)?
        };
        Ok(ProjectNames { vars, prefix })
    }

    /// `Topic#toString` for topic `name` (with `dataType`) of a project.
    pub fn topic(
        &self,
        p: &ProjectNames,
        name: &str,
        data_type: Option<&str>,
    ) -> Result<String, String> {
        match self.topic_format.as_str() {
            "default" => {
                let mut s = format!("{}{name}", p.prefix);
                if let Some(dt) = data_type {
                    s.push_str(&self.separator);
                    s.push_str(dt);
                }
                Ok(s)
            }
            "name" => Ok(name.to_string()),
            f => {
                let mut vars = p.vars.clone();
                vars.insert("topic".into(), name.to_string());
                if let Some(dt) = data_type {
                    vars.insert("dataType".into(), dt.to_string());
                }
                render(f, &vars)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> Vec<(String, String)> {
        vec![
            ("context".into(), "ctx".into()),
            ("source".into(), "src".into()),
        ]
    }

    #[test]
    fn default_names_follow_project_impl() {
        let n = Naming::default();
        let p = n.project(&keys(), "foo").unwrap();
        assert_eq!(p.prefix, "ctx.src.foo.");
        assert_eq!(
            n.topic(&p, "bar", Some("avro")).unwrap(),
            "ctx.src.foo.bar.avro"
        );
        let n = Naming {
            separator: "_".into(),
            ..Naming::default()
        };
        let p = n.project(&keys(), "foo").unwrap();
        assert_eq!(n.topic(&p, "bar", None).unwrap(), "ctx_src_foo_bar");
    }

    #[test]
    fn formats_render_variables_and_refuse_the_rest() {
        let n = Naming {
            topic_format: "{{context}}-{{project}}-{{ topic }}{{dataType}}".into(),
            project_format: "{{context}}-{{project}}".into(),
            ..Naming::default()
        };
        let p = n.project(&keys(), "foo").unwrap();
        assert_eq!(p.prefix, "ctx-foo");
        assert_eq!(n.topic(&p, "bar", None).unwrap(), "ctx-foo-bar");
        assert!(render("{{ x | upper }}", &BTreeMap::new()).is_err());
        assert!(render("{% if x %}", &BTreeMap::new()).is_err());
        let name = Naming {
            topic_format: "name".into(),
            ..Naming::default()
        };
        assert_eq!(name.topic(&p, "bar", Some("avro")).unwrap(), "bar");
    }

    #[test]
    fn properties_are_read_and_secrets_never_shown() {
        let mut given = crate::import::environment::Given::default();
        let mut r = Report::default();
        let text = "# c\ntopology.topic.prefix.format={{context}}.{{topic}}\ntopology.project.prefix.format={{context}}.\nsasl.jaas.config=secret-value\nschema.registry.url: http://sr:8081\n";
        let n = read_properties("p", text, &mut given, &mut r);
        assert_eq!(n.topic_format, "{{context}}.{{topic}}");
        assert_eq!(given.schema_registry_url.as_deref(), Some("http://sr:8081"));
        assert!(!r.has_errors(), "{r:?}");
        assert!(!r.human().contains("secret-value"));
        let mut r = Report::default();
        read_properties(
            "p",
            "topology.topic.prefix.format={{topic}}\n",
            &mut given,
            &mut r,
        );
        assert!(r.has_errors(), "formats must be set together");
    }
}
