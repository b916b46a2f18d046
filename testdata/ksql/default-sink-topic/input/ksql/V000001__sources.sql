CREATE STREAM orders (id VARCHAR KEY, amount BIGINT)
  WITH (KAFKA_TOPIC='orders.created.v1', VALUE_FORMAT='JSON');
