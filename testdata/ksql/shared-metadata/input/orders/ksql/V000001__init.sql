CREATE STREAM orders_events (id VARCHAR KEY) WITH (KAFKA_TOPIC='orders.events.v1', VALUE_FORMAT='JSON');
