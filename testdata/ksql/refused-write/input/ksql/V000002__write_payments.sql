-- Writing into the payments team's topic: ksqlDB may only read it.
INSERT INTO payments SELECT id, true AS settled FROM orders;
CREATE STREAM refunds WITH (KAFKA_TOPIC='refunds.v1', PARTITIONS=1) AS SELECT * FROM orders;
