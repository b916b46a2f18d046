//! Checks of the Environment itself: its namespace, target and policy settings.

use super::EnvInput;
use crate::diag::Code;
use crate::diag::Diagnostic;
use crate::names::dns_label_problem;
use crate::path::FieldPath;
use regex::Regex;

pub fn check(env: &EnvInput, out: &mut Vec<Diagnostic>) {
    let spec = &env.env.spec;
    if env.origin.is_some()
        && let Some(p) = dns_label_problem(&env.env.metadata.name)
    {
        out.push(env.at(
            Diagnostic::error(
                Code::NameNotDnsLabel,
                format!("environment name {:?} {p}", env.env.metadata.name),
            ),
            &FieldPath::of("metadata.name"),
        ));
    }
    if let Some(ns) = &spec.namespace
        && let Some(p) = dns_label_problem(ns)
    {
        out.push(
            env.at(
                Diagnostic::error(Code::StrimziNameInvalid, format!("namespace {ns:?} {p}"))
                    .with_hint("a namespace is a DNS-1123 label such as `kafka`"),
                &FieldPath::of("spec.namespace"),
            ),
        );
    }
    if let Some(r) = &spec.schema_registry
        && !(r.url.starts_with("http://") || r.url.starts_with("https://"))
    {
        out.push(
            env.at(
                Diagnostic::error(
                    Code::RegistryConfigInvalid,
                    format!(
                        "schemaRegistry.url {} is not an http(s) URL",
                        crate::diag::shown::url(&r.url)
                    ),
                )
                .with_hint("e.g. http://schema-registry.kafka:8081"),
                &FieldPath::of("spec.schemaRegistry.url"),
            ),
        );
    }
    if let Some(r) = &spec.schema_registry
        && let Some(what) = crate::credentials::url_credential(&r.url)
    {
        out.push(
            env.at(
                Diagnostic::error(Code::CredentialInUrl, format!("schemaRegistry.url holds {what}"))
                    .with_hint("remove the user info from the URL and name the Secret with the registry's credentials in schemaRegistry.credentialsSecret"),
                &FieldPath::of("spec.schemaRegistry.url"),
            ),
        );
    }
    if let Some(k) = &spec.ksqldb
        && let Some(what) = crate::credentials::url_credential(&k.url)
    {
        out.push(
            env.at(
                Diagnostic::error(Code::CredentialInUrl, format!("ksqldb.url holds {what}"))
                    .with_hint("remove the user info from the URL and name the Secret with the server's credentials in ksqldb.credentialsSecret"),
                &FieldPath::of("spec.ksqldb.url"),
            ),
        );
    }
    if let Some(h) = &spec.hooks
        && h.image.trim().is_empty()
    {
        out.push(
            env.at(
                Diagnostic::error(Code::RegistryConfigInvalid, "hooks.image is empty")
                    .with_hint("name the image hook Jobs run, e.g. curlimages/curl:8.11.0"),
                &FieldPath::of("spec.hooks.image"),
            ),
        );
    }
}

/// The compiled `policy.topicName`, anchored to the whole name; an invalid one is reported.
pub fn topic_name_regex(env: &EnvInput, out: &mut Vec<Diagnostic>) -> Option<Regex> {
    let pattern = env.env.spec.policy.topic_name.as_ref()?;
    match Regex::new(&format!("^(?:{pattern})$")) {
        Ok(r) => Some(r),
        Err(e) => {
            let reason = e.to_string();
            let reason = reason.lines().last().unwrap_or_default().trim().to_string();
            out.push(env.at(
                Diagnostic::error(
                    Code::TopicPatternInvalid,
                    format!("policy.topicName {pattern:?} is not a valid regular expression: {reason}"),
                )
                .with_hint("use Rust/RE2 regex syntax (no look-around or back-references)"),
                &FieldPath::of("spec.policy.topicName"),
            ));
            None
        }
    }
}
