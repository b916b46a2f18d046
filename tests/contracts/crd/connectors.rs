use super::*;

// ---------------------------------------------------------------------------------------------
// connectors (the KafkaConnector builder, called directly)
// ---------------------------------------------------------------------------------------------

pub fn connect_env(api: StrimziApiVersion) -> EnvironmentSpec {
    let mut env = EnvironmentSpec::default();
    env.strimzi.api_version = api;
    env.strimzi.connect_cluster = Some("connect".into());
    env
}

pub fn strings(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Connectors covering every field the builder writes: sink with topics, own transforms and
/// masking transforms; source without tasksMax; each state; no config at all.
pub fn connector_plans() -> Vec<ConnectorPlan> {
    let sink = ConnectorPlan {
        name: "orders-to-warehouse".into(),
        class: "io.confluent.connect.jdbc.JdbcSinkConnector".into(),
        connector_type: ConnectorType::Sink,
        tasks_max: Some(2),
        topics: vec!["orders.created.v1".into(), "Orders_Mixed-Case.v1".into()],
        config: strings(&[
            ("connection.url", "${secrets:kafka/warehouse-db:url}"),
            (
                "connection.password",
                "${secrets:kafka/warehouse-db:password}",
            ),
            ("table.name.format", "orders_prod"),
            ("batch.size", "500"),
            ("transforms", "route"),
            (
                "transforms.route.type",
                "org.apache.kafka.connect.transforms.RegexRouter",
            ),
            ("transforms.route.regex", "(.*)"),
            ("transforms.route.replacement", "$1"),
        ]),
        state: Some(ConnectorState::Running),
        transforms: vec![Transform {
            alias: "kbundle-mask-0".into(),
            class: "org.apache.kafka.connect.transforms.MaskField$Value".into(),
            config: strings(&[("fields", "email,phone"), ("replacement", "***")]),
        }],
    };
    let source = ConnectorPlan {
        name: "orders.cdc".into(),
        class: "io.debezium.connector.postgresql.PostgresConnector".into(),
        connector_type: ConnectorType::Source,
        tasks_max: None,
        topics: vec!["orders.cdc.v1".into()],
        config: strings(&[
            ("database.hostname", "pg.db"),
            ("database.password", "${secrets:kafka/pg:password}"),
            ("topic.prefix", "orders.cdc"),
        ]),
        state: Some(ConnectorState::Paused),
        transforms: Vec::new(),
    };
    let stopped = ConnectorPlan {
        name: "orders-stopped".into(),
        class: "org.apache.kafka.connect.file.FileStreamSourceConnector".into(),
        connector_type: ConnectorType::Source,
        tasks_max: Some(1),
        topics: Vec::new(),
        config: BTreeMap::new(),
        state: Some(ConnectorState::Stopped),
        transforms: Vec::new(),
    };
    let bare = ConnectorPlan {
        name: "orders-bare".into(),
        state: None,
        ..stopped.clone()
    };
    vec![sink, source, stopped, bare]
}

pub fn connectors(api: StrimziApiVersion) -> Vec<Value> {
    let env = connect_env(api);
    connector_plans()
        .iter()
        .map(|c| connect::kafka_connector("orders", "team-orders", Some("kafka"), c, &env))
        .collect()
}

pub fn connector() -> Value {
    connectors(StrimziApiVersion::V1).remove(0)
}

pub fn connectors_are_valid_strimzi_v1() {
    let Some(v) = vendor() else { return };
    let objs = connectors(StrimziApiVersion::V1);
    assert_eq!(
        objs[0]["spec"]["config"]["transforms"],
        "kbundle-mask-0,route"
    );
    assert_eq!(
        objs[0]["spec"]["config"]["topics"],
        "orders.created.v1,Orders_Mixed-Case.v1"
    );
    assert_eq!(
        objs[0]["metadata"]["labels"]["strimzi.io/cluster"],
        "connect"
    );
    assert_eq!(objs[3]["spec"].get("config"), None);
    assert_all(
        &objs,
        "kafka.strimzi.io/v1",
        &[&v.v1, &v.v051],
        "connectors (v1)",
    );
}

pub fn connectors_are_valid_strimzi_v1beta2() {
    let Some(v) = vendor() else { return };
    let objs = connectors(StrimziApiVersion::V1beta2);
    assert_all(
        &objs,
        "kafka.strimzi.io/v1beta2",
        &[&v.v051],
        "connectors (v1beta2)",
    );
    assert!(
        v.v1.problems(&objs[0])
            .iter()
            .any(|p| p.contains("not served"))
    );
}

register!(
    connectors_are_valid_strimzi_v1,
    connectors_are_valid_strimzi_v1beta2
);
