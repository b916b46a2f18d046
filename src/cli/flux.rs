//! `kbundle render --flux --out DIR [--check]`: write the Flux stages of one Environment into
//! `DIR/<environment>/`, or (`--check`) compare them with what is committed there and name every
//! stale, missing and extra file without writing anything.

use crate::diag::{Code, Diagnostic, escape_controls};
use crate::model::environment::FluxSettings;
use crate::source::Item;

/// The Environment the render uses (the one named, or the only one) and its `spec.flux`.
pub fn environment(
    items: &[Item],
    wanted: Option<&str>,
) -> Result<(String, FluxSettings), Box<Diagnostic>> {
    let envs: Vec<&Item> = items
        .iter()
        .filter(|i| {
            crate::render::is_kbundle_kind(&i.value)
                && i.value.get("kind").and_then(serde_json::Value::as_str) == Some("Environment")
        })
        .collect();
    let name_of = |i: &Item| {
        i.value
            .pointer("/metadata/name")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let chosen = match wanted {
        Some(w) => envs.iter().find(|i| name_of(i) == w),
        None if envs.len() == 1 => envs.first(),
        None => None,
    };
    let Some(item) = chosen else {
        return Err(Box::new(
            Diagnostic::error(
                Code::FluxSettingsMissing,
                format!(
                    "--flux needs one Environment; the input holds {} and --environment {}",
                    envs.len(),
                    match wanted {
                        Some(w) => format!("names {:?}", escape_controls(w)),
                        None => "is not given".into(),
                    }
                ),
            )
            .with_hint("pass the overlay of one Environment, or --environment NAME"),
        ));
    };
    let name = name_of(item);
    // The name becomes a directory and part of object names.
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(Box::new(Diagnostic::error(
            Code::FluxSettingsMissing,
            format!(
                "Environment name {:?} is not a DNS label: it names the output directory",
                escape_controls(&name)
            ),
        )));
    }
    // A broken Environment is reported by the render itself.
    let env = crate::model::parse_environment(&item.value).map_err(|_| {
        Box::new(Diagnostic::error(
            Code::FluxSettingsMissing,
            format!("Environment {name:?} does not parse; see its other errors"),
        ))
    })?;
    match env.spec.flux {
        Some(f) => Ok((name, f)),
        None => Err(Box::new(
            Diagnostic::error(
                Code::FluxSettingsMissing,
                format!("Environment {name:?} has no spec.flux"),
            )
            .with_hint("add spec.flux with sourceRef and path (docs/tutorials/flux.md)"),
        )),
    }
}
