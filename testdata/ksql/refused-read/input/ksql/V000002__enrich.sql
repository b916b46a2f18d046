CREATE STREAM orders_enriched WITH (KAFKA_TOPIC='orders.enriched.v1') AS
  SELECT o.id, c.email FROM orders o JOIN customers c WITHIN 1 HOURS ON o.id = c.id;
-- Declared by some other bundle on the shared server: its topic cannot be known here.
CREATE STREAM orders_audit WITH (KAFKA_TOPIC='orders.audit.v1') AS SELECT * FROM audit_log;
-- A ksql-migrations variable: its value is known only when the migration runs.
CREATE STREAM orders_copy WITH (KAFKA_TOPIC='${copy_topic}') AS SELECT * FROM orders;
