//! The Environment's `platformPrincipals` are the platform's own Kafka users (Schema Registry,
//! ksqlDB, Control Center, admin users). A bundle declaring a principal of the same name would
//! render a KafkaUser of that name: the User Operator would replace the platform's ACLs with the
//! bundle's, and the platform service would lose its access (KB175).

use super::{BundleInput, EnvInput};
use crate::diag::{Code, Diagnostic};
use crate::path::FieldPath;

pub fn check(b: &BundleInput, env: &EnvInput, out: &mut Vec<Diagnostic>) {
    let platform = &env.env.spec.platform_principals;
    for (i, p) in b.bundle.spec.principals.iter().enumerate() {
        let Some(pp) = platform.iter().find(|pp| pp.name == p.name) else {
            continue;
        };
        let what = pp
            .service
            .as_deref()
            .map(|s| format!(" ({s})"))
            .unwrap_or_default();
        out.push(b.at(
            Diagnostic::error(
                Code::PlatformPrincipalClaimed,
                format!(
                    "principal {:?} is a platform principal of {}{what}: its KafkaUser belongs to the platform",
                    p.name,
                    env.label()
                ),
            )
            .with_hint("give the application a principal of its own; the platform team grants its services"),
            &FieldPath::of("spec.principals").index(i).key("name"),
        ));
    }
}
