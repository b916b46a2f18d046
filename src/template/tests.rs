//! Unit tests of the template sandbox.

use super::sandbox::NO_NAMESPACE;
use super::*;

/// The Strimzi config-provider shape, which the expectations below are written in.
fn provider_syntax(kind: ReferenceKind, namespace: &str, name: &str, key: &str) -> String {
    let provider = match kind {
        ReferenceKind::Secret => "secrets",
        ReferenceKind::ConfigMap => "configmaps",
    };
    format!("${{{provider}:{namespace}/{name}:{key}}}")
}

fn ctx() -> TemplateContext {
    TemplateContext {
        reference: provider_syntax,
        env_name: "prod".into(),
        env_namespace: Some("kafka".into()),
        bundle_name: "orders".into(),
    }
}

fn no_namespace() -> TemplateContext {
    TemplateContext {
        env_namespace: None,
        ..ctx()
    }
}

fn ok(template: &str) -> String {
    match render(template, &ctx()) {
        Ok(s) => s,
        Err(e) => panic!("{template:?}: {e}"),
    }
}

fn err(template: &str) -> TemplateError {
    err_with(template, &ctx())
}

fn err_with(template: &str, ctx: &TemplateContext) -> TemplateError {
    match render(template, ctx) {
        Ok(s) => panic!("{template:?} rendered {s:?}, expected an error"),
        Err(e) => e,
    }
}

#[test]
fn non_templates_come_back_unchanged() {
    for s in [
        "",
        "jdbc:postgresql://db:5432/orders",
        "${secrets:kafka/db:password}",
        "a { b } {# no tag, so not a template #} {",
        "x{#y",
        "}}%}",
    ] {
        assert_eq!(ok(s), s);
    }
}

#[test]
fn renders_values_and_both_functions() {
    assert_eq!(ok("orders_{{ env.name }}"), "orders_prod");
    assert_eq!(ok("{{ bundle.name }}-{{ env.namespace }}"), "orders-kafka");
    assert_eq!(
        ok(
            "jdbc:{{ configmap(name='warehouse-db', key='url') }}?user={{ secret(name=\"warehouse-db\", key=\"user.name\") }}"
        ),
        "jdbc:${configmaps:kafka/warehouse-db:url}?user=${secrets:kafka/warehouse-db:user.name}"
    );
    assert_eq!(
        ok("{{ secret(key='password', name=bundle.name ~ '-db') }}"),
        "${secrets:kafka/orders-db:password}"
    );
}

#[test]
fn whitespace_control_filters_and_conditions() {
    assert_eq!(ok("  {{- env.name | upper -}}  "), "PROD");
    assert_eq!(
        ok("{{ 'ABC' | lower }}/{{ bundle.name | title }}"),
        "abc/Orders"
    );
    assert_eq!(
        ok("{{ env.name | replace(from='o', to='0') | trim }}"),
        "pr0d"
    );
    assert_eq!(
        ok("{% if env.name == 'prod' -%}\n  big\n{%- else -%}\n  small\n{%- endif %}"),
        "big"
    );
    assert_eq!(
        ok("{% filter upper %}{{ bundle.name }}{% endfilter %}"),
        "ORDERS"
    );
    assert_eq!(
        ok("{{ env.name | split(pat='r') | first }}{{ 'x' if env.name is defined else 'y' }}"),
        "px"
    );
    assert_eq!(ok("a{# {% include 'x' %} #}b"), "ab");
    assert_eq!(ok("{% raw %}{{ now() }}{% endraw %}"), "{{ now() }}");
    assert_eq!(ok("{{ '{% for x in y %}' }}"), "{% for x in y %}");
    assert_eq!(ok("{{ \"}}\" ~ env.name }}"), "}}prod");
    assert_eq!(ok("{%- raw -%} {{ x }} {%- endraw %}"), "{{ x }}");
    assert_eq!(ok("{%raw%}{% for %}{%endraw%}"), "{% for %}");
    assert_eq!(
        ok("{% if env.namespace is defined %}{{ env.namespace }}{% endif %}"),
        "kafka"
    );
}

#[test]
fn env_namespace_must_be_set_to_be_used() {
    let e = err_with("ns: {{ env.namespace }}", &no_namespace());
    assert_eq!(e.message, "env.namespace is not set in the Environment");
    assert_eq!((e.line, e.column), (Some(1), Some(8)));
    // Even where Tera would quietly render an undefined value as nothing.
    let e = err_with("{{ env.name ~ env.namespace }}", &no_namespace());
    assert_eq!(e.message, NO_NAMESPACE);
    for f in ["secret", "configmap"] {
        let e = err_with(
            &format!("{{{{ {f}(name='db', key='pw') }}}}"),
            &no_namespace(),
        );
        assert!(e.message.starts_with(NO_NAMESPACE), "{e}");
        assert_eq!((e.line, e.column), (Some(1), Some(4)));
    }
    assert_eq!(render("{{ env.name }}", &no_namespace()).unwrap(), "prod");
}

#[test]
fn function_arguments_are_validated() {
    for (template, needle) in [
        (
            "{{ secret(name='Bad_Name', key='k') }}",
            "not a valid Secret name",
        ),
        (
            "{{ configmap(name='-x', key='k') }}",
            "not a valid ConfigMap name",
        ),
        (
            "{{ secret(name='db', key='a/b') }}",
            "not a valid Secret key",
        ),
        (
            "{{ secret(name='db', key='..x') }}",
            "must not be `.` or `..`",
        ),
        ("{{ secret(name='db', key='') }}", "it is empty"),
        ("{{ secret(name='db') }}", "secret() needs `key`"),
        ("{{ secret(name='db', key=1) }}", "`key` must be a string"),
        (
            "{{ secret(name='db', key='k', namespace='x') }}",
            "not `namespace`",
        ),
    ] {
        let e = err(template);
        assert!(e.message.contains(needle), "{template}: {e}");
        assert_eq!(e.line, Some(1), "{template}");
    }
    let bad_ns = TemplateContext {
        env_namespace: Some("Kafka".into()),
        ..ctx()
    };
    let e = err_with("{{ secret(name='db', key='k') }}", &bad_ns);
    assert!(e.message.contains("not a valid namespace"), "{e}");
}

#[test]
fn no_environment_clock_random_or_file_access() {
    for (template, needle) in [
        (
            "{{ get_env(name=\"HOME\") }}",
            "function `get_env` is not available",
        ),
        ("{{ now() }}", "function `now` is not available"),
        (
            "{{ get_random(end=10) }}",
            "function `get_random` is not available",
        ),
        (
            "{{ read_file(path='/etc/passwd') }}",
            "function `read_file`",
        ),
        ("{{ range(end=5) }}", "function `range` is not available"),
        (
            "{{ throw(message='x') }}",
            "function `throw` is not available",
        ),
        (
            "{% include \"x\" %}",
            "cannot load other templates or files",
        ),
        (
            "{%- import 'x' as m -%}",
            "cannot load other templates or files",
        ),
        (
            "{% extends \"base\" %}",
            "cannot load other templates or files",
        ),
        (
            "{% block b %}{% endblock %}",
            "cannot load other templates or files",
        ),
        (
            "{% for c in 'abc' %}{{ c }}{% endfor %}",
            "`{% for %}` is not available",
        ),
        ("{% set x = 1 %}", "`{% set %}` is not available"),
        (
            "{{ env.name | join(sep=',') }}",
            "filter `join` is not available",
        ),
        (
            "{{ env.name | indent(width=9) }}",
            "filter `indent` is not available",
        ),
        (
            "{% filter safe %}x{% endfilter %}",
            "filter `safe` is not available",
        ),
    ] {
        let e = err(template);
        assert!(e.message.contains(needle), "{template}: {e}");
        assert!(e.line.is_some() && e.column.is_some(), "{template}: {e:?}");
    }
    assert!(err("{{ now() }}").message.contains("no file, environment"));
}

#[test]
fn disabled_builtins_fail_even_past_the_allowlist() {
    let tera = sandboxed_tera(&ctx());
    for template in [
        "{{ range(end=3) }}",
        "{{ 'a' | join(sep=',') }}",
        "{{ 'x' | indent }}",
    ] {
        let e = tera
            .render_str(template, &Context::new(), false)
            .expect_err(template);
        assert!(
            from_tera(&e, template).message.contains("is not available"),
            "{template}"
        );
    }
}

#[test]
fn unknown_names_are_reported_with_position_and_suggestion() {
    let e = err("a\n  {{ enve.name }}");
    assert_eq!(
        e.message,
        "unknown variable `enve` (did you mean `env`?); available: env.name, env.namespace, bundle.name"
    );
    assert_eq!((e.line, e.column), (Some(2), Some(6)));
    let e = err("{{ env.nmae }}");
    assert!(e.message.contains("no field `nmae`"), "{e}");
    assert_eq!(e.column, Some(8));
    let e = err("{{ 'x' ~ env }}");
    assert!(e.message.contains("must be used with a field"), "{e}");
    let e = err("{{ 'a' ~ loop.index }}");
    assert!(e.message.starts_with("unknown variable `loop`"), "{e}");
    let e = err("{{ env['name'] }}");
    assert!(e.message.contains("must be used with a field"), "{e}");
    let e = err("{{ secert(name='a', key='b') }}");
    assert!(e.message.contains("did you mean `secret`"), "{e}");
    let e = err("{{ env.name | uper }}");
    assert!(e.message.contains("did you mean `upper`"), "{e}");
    assert_eq!(e.column, Some(15));
    let e = err("{{ env.name is nosuchtest }}");
    assert!(e.message.contains("Unknown test `nosuchtest`"), "{e}");
    assert_eq!((e.line, e.column), (Some(1), Some(16)));
}

#[test]
fn syntax_error_in_a_multi_line_template_names_the_position() {
    let e = err("line one\nline two {{ env.name }}\n  é {% if env.name %}x{% endif");
    assert_eq!(e.line, Some(3), "{e:?}");
    assert!(e.column.is_some());
    let e = err("first\nsecond {{ env.name ");
    assert_eq!(e.message, "`{{` is not closed");
    assert_eq!((e.line, e.column), (Some(2), Some(8)));
    for (template, message) in [
        ("{{ 'abc }}", "string is not closed"),
        ("{{ env.name }} {# b", "`{#` is not closed"),
        ("{% raw %}{{ x }}", "`{% raw %}` is not closed"),
        (
            "{%--for x in 'ab' %}{% endfor %}",
            "expected a tag name after `{%`",
        ),
        ("{% 'if' %}", "expected a tag name after `{%`"),
    ] {
        assert_eq!(err(template).message, message, "{template}");
    }
    let e = err("x\n\n  {% if %}y{% endif %}");
    assert!(e.message.starts_with("Found `%}`"), "{e}");
    assert_eq!((e.line, e.column), (Some(3), Some(9)));
    assert_eq!(e.to_string(), format!("{} (line 3, column 9)", e.message));
}

#[test]
fn rendering_is_deterministic() {
    let t = "{{ secret(name='a', key='b') }}{{ {'b': 1, 'a': 2} }}{{ env.name | upper }}";
    let first = ok(t);
    for _ in 0..20 {
        assert_eq!(ok(t), first);
    }
    let e = err("{{ secret(name='a', key='b', z=1, y=2, x=3) }}");
    assert!(e.message.ends_with("not `x`, `y`, `z`"), "{e}");
}

#[test]
fn runaway_output_is_refused() {
    let long = "x".repeat(2000);
    let e = err(&format!(
        "{{{{ '{long}' | replace(from='x', to='{long}') }}}}"
    ));
    assert!(e.message.contains("more than"), "{e}");
    let chained = format!("{{{{ '{}'{} }}}}", "ab".repeat(200), " ~ 'cd'".repeat(10));
    assert_eq!(ok(&chained).len(), 420);
}

#[test]
fn arbitrary_input_never_panics() {
    // A fixed linear congruential generator: deterministic, no extra crate.
    let pieces = [
        "{{",
        "}}",
        "{%",
        "%}",
        "{#",
        "#}",
        "-",
        " ",
        "\n",
        "'",
        "\"",
        "`",
        "\\",
        "é",
        "€",
        "env",
        ".",
        "name",
        "namespace",
        "bundle",
        "|",
        "upper",
        "(",
        ")",
        "=",
        "raw",
        "endraw",
        "if",
        "endif",
        "for",
        "secret",
        "key",
        "'db'",
        "~",
        "[",
        "]",
        "?.",
        "is",
    ];
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    for _ in 0..3000 {
        let mut template = String::new();
        for _ in 0..(state % 12 + 1) {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            template.push_str(pieces[(state >> 33) as usize % pieces.len()]);
        }
        for ctx in [ctx(), no_namespace()] {
            if let Err(e) = render(&template, &ctx) {
                assert!(!e.message.is_empty(), "{template:?}");
            }
        }
    }
}
