//! Topic rules: Kafka naming, the Environment's guardrails, config keys and values, deletion
//! safety, and uniqueness across bundles.

use super::claims::{Claim, claimed_twice};
use super::topic_config::{self, as_integer, config_type, value_problem};
use super::{BundleInput, EnvInput};
use crate::diag::Code;
use crate::diag::Diagnostic;
use crate::model::ConfigValue;
use crate::model::bundle::{Deletion, Topic};
use crate::names::{
    dns_label_problem, kafka_topic_problem, label_value_problem, topic_object_name,
};
use crate::path::FieldPath;
use crate::suggest::did_you_mean;
use regex::Regex;
use std::collections::HashMap;

pub fn check(b: &BundleInput, env: &EnvInput, name_re: Option<&Regex>, out: &mut Vec<Diagnostic>) {
    let meta = &b.bundle.metadata;
    if let Some(p) = dns_label_problem(&meta.name) {
        out.push(
            b.at(
                Diagnostic::error(
                    Code::NameNotDnsLabel,
                    format!("bundle name {:?} {p}", meta.name),
                )
                .with_hint("bundle names are DNS-1123 labels such as `orders`"),
                &FieldPath::of("metadata.name"),
            ),
        );
    }
    if let Some(p) = label_value_problem(&b.bundle.spec.owner) {
        out.push(b.at(
            Diagnostic::error(Code::OwnerInvalid, format!("owner {:?} {p}", b.bundle.spec.owner))
                .with_hint("the owner becomes the kbundle.dev/owner label: use a team slug such as `team-orders`"),
            &FieldPath::of("spec.owner"),
        ));
    }
    let env_label = env.label();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, t) in b.bundle.spec.topics.iter().enumerate() {
        let at = FieldPath::of("spec.topics").index(i);
        if let Some(first) = seen.insert(&t.name, i) {
            out.push(b.at(
                Diagnostic::error(
                    Code::TopicClaimedTwice,
                    format!("topic {:?} is declared twice in this bundle (also spec.topics[{first}])", t.name),
                )
                .with_hint("declare each topic once"),
                &at.child_key("name"),
            ));
        }
        check_topic(b, env, &env_label, name_re, t, &at, out);
    }
}

/// The rules of one declared topic, one function each.
fn check_topic(
    b: &BundleInput,
    env: &EnvInput,
    env_label: &str,
    name_re: Option<&Regex>,
    t: &Topic,
    at: &FieldPath,
    out: &mut Vec<Diagnostic>,
) {
    let rule = Rule {
        b,
        env,
        env_label,
        t,
        at,
    };
    rule.name(name_re, out);
    rule.partitions(out);
    rule.replicas(out);
    for (key, value) in &t.config {
        rule.config_entry(key, value, out);
    }
    rule.retention(out);
    rule.min_isr(out);
    rule.deletion(out);
}

/// One topic and where it is, shared by its rules.
struct Rule<'a> {
    b: &'a BundleInput,
    env: &'a EnvInput,
    env_label: &'a str,
    t: &'a Topic,
    at: &'a FieldPath,
}

impl Rule<'_> {
    fn field_or_default(&self, explicit: bool, field: &str) -> FieldPath {
        if explicit {
            self.at.child_key(field)
        } else {
            self.at.clone()
        }
    }

    /// The effective config: the Environment's topicConfig under the topic's own.
    fn effective(&self, key: &str) -> Option<&ConfigValue> {
        self.t
            .config
            .get(key)
            .or_else(|| self.env.env.spec.defaults.topic_config.get(key))
    }

    fn replicas_count(&self) -> u32 {
        self.t
            .replicas
            .unwrap_or(self.env.env.spec.defaults.replicas)
    }

    /// Kafka's naming rules, then the Environment's `policy.topicName`.
    fn name(&self, name_re: Option<&Regex>, out: &mut Vec<Diagnostic>) {
        let (b, t, at) = (self.b, self.t, self.at);
        let policy = &self.env.env.spec.policy;
        if let Some(p) = kafka_topic_problem(&t.name) {
            out.push(b.at(
                Diagnostic::error(
                    Code::TopicNameInvalid,
                    format!("topic name {:?} {p}", t.name),
                ),
                &at.child_key("name"),
            ));
        } else if let Some(re) = name_re
            && !re.is_match(&t.name)
        {
            out.push(
                b.at(
                    Diagnostic::error(
                        Code::TopicNamePolicy,
                        format!(
                            "topic name {:?} does not match policy.topicName `{}` of {}",
                            t.name,
                            policy.topic_name.as_deref().unwrap_or_default(),
                            self.env_label
                        ),
                    )
                    .with_hint("rename the topic to follow the platform's naming convention"),
                    &at.child_key("name"),
                ),
            );
        }
    }

    fn partitions(&self, out: &mut Vec<Diagnostic>) {
        let (t, env_label) = (self.t, self.env_label);
        let spec = &self.env.env.spec;
        let partitions = t.partitions.unwrap_or(spec.defaults.partitions);
        if let Some(max) = spec.policy.max_partitions
            && partitions > max
        {
            out.push(
                self.b.at(
                    Diagnostic::error(
                        Code::PartitionsAboveMax,
                        format!(
                            "partitions is {partitions}{}, {env_label} allows at most {max}",
                            from_default(t.partitions.is_some())
                        ),
                    )
                    .with_hint(format!(
                        "lower partitions or raise policy.maxPartitions in {env_label}"
                    )),
                    &self.field_or_default(t.partitions.is_some(), "partitions"),
                ),
            );
        }
    }

    fn replicas(&self, out: &mut Vec<Diagnostic>) {
        let (t, env_label) = (self.t, self.env_label);
        let replicas = self.replicas_count();
        if let Some(min) = self.env.env.spec.policy.min_replicas
            && replicas < min
        {
            out.push(
                self.b.at(
                    Diagnostic::error(
                        Code::ReplicasBelowMin,
                        format!(
                            "replicas is {replicas}{}, {env_label} requires at least {min}",
                            from_default(t.replicas.is_some())
                        ),
                    )
                    .with_hint(format!("set replicas to {min} or more")),
                    &self.field_or_default(t.replicas.is_some(), "replicas"),
                ),
            );
        }
    }

    /// A config key kbundle knows (its value's type and range), a typo, or an unknown key.
    fn config_entry(&self, key: &str, value: &ConfigValue, out: &mut Vec<Diagnostic>) {
        let b = self.b;
        // Built only for a diagnostic: most configs are fine.
        let path = || self.at.child_key("config").key(key);
        match config_type(key) {
            Some(ty) => {
                if ty == topic_config::ConfigType::Integer && topic_config::beyond_long(value) {
                    // Named as out of range, not shown: the YAML number was already rounded
                    // (99999999999999999999 reads as 1e20) and would not be the value written.
                    out.push(b.at(
                        Diagnostic::error(
                            Code::ConfigOutOfRange,
                            format!("config {key} is out of range: Kafka's whole-number configs go up to 9223372036854775807"),
                        )
                        .with_hint("use a smaller value; for no limit, most Kafka configs take -1"),
                        &path(),
                    ));
                } else if let Some(p) = value_problem(ty, value) {
                    out.push(b.at(
                        Diagnostic::error(
                            Code::TopicConfigType,
                            format!("config {key} is {}, it {p}", show(value)),
                        ),
                        &path(),
                    ));
                }
            }
            None if topic_config::is_vendor_key(key) => {}
            None => match did_you_mean(key, topic_config::known_keys()) {
                Some(s) => out.push(
                    b.at(
                        Diagnostic::error(
                            Code::TopicConfigTypo,
                            format!("unknown topic config {key:?}"),
                        )
                        .with_hint(format!("did you mean `{s}`?")),
                        &path(),
                    ),
                ),
                None => out.push(
                    b.at(
                        Diagnostic::warning(
                            Code::TopicConfigUnknown,
                            format!("{key:?} is not a topic config this version of kbundle knows"),
                        )
                        .with_hint("check the spelling against Kafka's topic configs"),
                        &path(),
                    ),
                ),
            },
        }
    }

    fn retention(&self, out: &mut Vec<Diagnostic>) {
        let env_label = self.env_label;
        if let Some(max) = self.env.env.spec.policy.max_retention_ms
            && let Some(v) = self.effective("retention.ms")
            && let Some(ms) = as_integer(v)
            && (ms < 0 || ms > max)
        {
            let shown = if ms < 0 {
                "infinite (-1)".to_string()
            } else {
                ms.to_string()
            };
            out.push(
                self.b.at(
                    Diagnostic::error(
                        Code::RetentionAboveMax,
                        format!("retention.ms is {shown}, {env_label} allows at most {max}"),
                    )
                    .with_hint(format!(
                        "lower retention.ms or raise policy.maxRetentionMs in {env_label}"
                    )),
                    &self.at.child_key("config").key("retention.ms"),
                ),
            );
        }
    }

    fn min_isr(&self, out: &mut Vec<Diagnostic>) {
        let replicas = self.replicas_count();
        if let Some(v) = self.effective("min.insync.replicas")
            && let Some(isr) = as_integer(v)
            && isr > i64::from(replicas)
        {
            out.push(self.b.at(
                Diagnostic::error(
                    Code::MinIsrAboveReplicas,
                    format!("min.insync.replicas is {isr} but the topic has only {replicas} replicas; producers with acks=all could never write"),
                )
                .with_hint("raise replicas or lower min.insync.replicas"),
                &self.at.child_key("config").key("min.insync.replicas"),
            ));
        }
    }

    fn deletion(&self, out: &mut Vec<Diagnostic>) {
        let (t, env_label) = (self.t, self.env_label);
        if t.deletion == Some(Deletion::Allow) && !self.env.env.spec.policy.allow_topic_deletion {
            out.push(self.b.at(
                Diagnostic::error(
                    Code::DeletionForbidden,
                    format!("topic {:?} says deletion: allow, but {env_label} does not allow topic deletion", t.name),
                )
                .with_hint("remove `deletion: allow`, or set policy.allowTopicDeletion: true in the Environment"),
                &self.at.child_key("deletion"),
            ));
        }
    }
}

fn from_default(explicit: bool) -> &'static str {
    if explicit { "" } else { " (the default)" }
}

fn show(v: &ConfigValue) -> String {
    match v {
        ConfigValue::String(s) => format!("{s:?}"),
        other => other.as_text(),
    }
}

/// Topics and KafkaTopic names must be unique across all bundles; topics that differ only in
/// `.` versus `_` collide inside Kafka (metric names) and Kafka refuses the second one.
pub fn check_across(bundles: &[BundleInput], out: &mut Vec<Diagnostic>) {
    // Lookups only (diagnostics follow input order), so hash maps: this runs once per topic
    // of the whole repository.
    let topics: usize = bundles.iter().map(|b| b.bundle.spec.topics.len()).sum();
    let mut owners = super::claims::Owners::with_capacity(topics);
    let mut by_object: HashMap<String, (usize, usize)> = HashMap::with_capacity(topics);
    let mut by_metric: HashMap<String, (usize, usize)> = HashMap::with_capacity(topics);
    for (bi, b) in bundles.iter().enumerate() {
        for (ti, t) in b.bundle.spec.topics.iter().enumerate() {
            let at = || FieldPath::of("spec.topics").index(ti).key("name");
            match owners.claim(&t.name, bi) {
                Claim::New => {}
                Claim::Same => continue,
                Claim::Other(obi) => {
                    out.push(b.at(
                        claimed_twice(
                            Code::TopicClaimedTwice,
                            "topic",
                            &t.name,
                            &bundles[obi],
                            b,
                            "a topic belongs to one bundle",
                        ),
                        &at(),
                    ));
                    continue;
                }
            }
            let object = match &t.object_name {
                Some(o) => {
                    if !crate::names::is_dns_subdomain(o) {
                        out.push(b.at(
                            Diagnostic::error(
                                Code::TopicObjectNameInvalid,
                                format!(
                                    "topic {:?}: objectName {} is not a DNS-1123 subdomain",
                                    t.name,
                                    crate::diag::shown::identifier(o)
                                ),
                            )
                            .with_hint("use lowercase letters, digits, `-` and `.`, at most 253 characters"),
                            &FieldPath::of("spec.topics").index(ti).key("objectName"),
                        ));
                    }
                    o.clone()
                }
                None => topic_object_name(&t.name),
            };
            if let Some(&(obi, oti)) = by_object.get(&object) {
                out.push(b.at(
                    Diagnostic::error(
                        Code::TopicObjectNameClash,
                        format!(
                            "topics {:?} (bundle {:?}) and {:?} (bundle {:?}) map to the same KafkaTopic name {object:?}",
                            bundles[obi].bundle.spec.topics[oti].name,
                            bundles[obi].name(),
                            t.name,
                            b.name()
                        ),
                    )
                    .with_hint("rename one of the topics"),
                    &at(),
                ));
            } else {
                by_object.insert(object, (bi, ti));
            }
            let metric = t.name.replace('.', "_");
            if let Some(&(obi, oti)) = by_metric.get(&metric) {
                out.push(b.at(
                    Diagnostic::error(
                        Code::TopicCollision,
                        format!(
                            "topic {:?} collides with {:?} (bundle {:?}): Kafka treats `.` and `_` alike in metric names and refuses the second topic",
                            t.name,
                            bundles[obi].bundle.spec.topics[oti].name,
                            bundles[obi].name()
                        ),
                    )
                    .with_hint("use either `.` or `_` consistently"),
                    &at(),
                ));
            } else {
                by_metric.insert(metric, (bi, ti));
            }
        }
    }
}
