-- The service's orders, and the payments the platform lets ksqlDB read.
CREATE STREAM orders (id VARCHAR KEY, amount BIGINT)
  WITH (KAFKA_TOPIC='orders.created.v1', VALUE_FORMAT='JSON');
CREATE STREAM payments (id VARCHAR KEY, settled BOOLEAN)
  WITH (KAFKA_TOPIC='payments.settled.v1', VALUE_FORMAT='JSON');
