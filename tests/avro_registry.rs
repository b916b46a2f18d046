//! Schema Registry verdicts as a user meets them, through the built binary: a decimal scale
//! change passes (as the registry decides) with a KB060 warning, and a schema Java's parser
//! refuses is KB061.

mod support;

use std::path::Path;
use std::process::Command;

const BUNDLE: &str = r#"apiVersion: kbundle.dev/v1alpha1
kind: AppBundle
metadata:
  name: payments
spec:
  owner: team-payments
  topics:
    - name: payments.settled.v1
      valueSchema: settled
  schemas:
    - name: settled
      file: schemas/v2.avsc
      compatibility: FULL_TRANSITIVE
      previous: [schemas/v1.avsc]
---
apiVersion: kbundle.dev/v1alpha1
kind: Environment
metadata:
  name: prod
spec:
  defaults: {compatibility: BACKWARD}
  schemaRegistry: {url: "http://schema-registry:8081"}
  hooks: {image: "curlimages/curl:8.11.0"}
"#;

fn amount(field_type: &str) -> String {
    format!(r#"{{"type":"record","name":"S","fields":[{{"name":"amount","type":{field_type}}}]}}"#)
}

fn decimal(precision: u32, scale: u32) -> String {
    amount(&format!(
        r#"{{"type":"bytes","logicalType":"decimal","precision":{precision},"scale":{scale}}}"#
    ))
}

fn check(v1: &str, v2: &str) -> std::process::Output {
    let dir = tempfile::tempdir().expect("temp dir");
    let write = |path: &str, text: &str| {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap_or(Path::new("."))).expect("mkdir");
        std::fs::write(path, text).expect("write");
    };
    write("bundle.yaml", BUNDLE);
    write("schemas/v1.avsc", v1);
    write("schemas/v2.avsc", v2);
    let mut cmd = Command::new(support::kbundle());
    cmd.arg("check").arg(dir.path());
    support::run(cmd)
}

#[test]
fn decimal_scale_change_passes_with_a_warning() {
    let out = check(&decimal(10, 2), &decimal(12, 4));
    let stderr = support::stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains(
            "warning[KB060]: schema \"settled\": the scale of field amount changed from \
             decimal(10,2) to decimal(12,4): the same bytes then read as a number 100 times \
             smaller"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("0 errors, 1 warning"), "{stderr}");
}

#[test]
fn decimal_precision_change_passes_without_a_warning() {
    let out = check(&decimal(10, 2), &decimal(12, 2));
    let stderr = support::stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("KB060"), "{stderr}");
}

#[test]
fn a_field_order_java_refuses_is_an_invalid_schema() {
    let sideways = r#"{"type":"record","name":"S","fields":[{"name":"amount","type":"int","order":"sideways"}]}"#;
    let out = check(&amount(r#""int""#), sideways);
    let stderr = support::stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("error[KB061]"), "{stderr}");
    assert!(
        stderr.contains("field amount of record S has order \"sideways\""),
        "{stderr}"
    );
}
