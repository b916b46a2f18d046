CREATE STREAM orders (id VARCHAR KEY, amount BIGINT)
  WITH (KAFKA_TOPIC='orders.created.v1', VALUE_FORMAT='JSON');
-- Another team's topic the platform has not opened to ksqlDB.
CREATE STREAM customers (id VARCHAR KEY, email VARCHAR)
  WITH (KAFKA_TOPIC='crm.customers.v1', VALUE_FORMAT='JSON');
