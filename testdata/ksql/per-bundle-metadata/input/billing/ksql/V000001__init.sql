CREATE STREAM billing_events (id VARCHAR KEY) WITH (KAFKA_TOPIC='billing.events.v1', VALUE_FORMAT='JSON');
