CREATE TABLE order_totals WITH (KAFKA_TOPIC='orders.totals.v1', PARTITIONS=3) AS
  SELECT o.id, SUM(o.amount) AS total
  FROM orders o JOIN payments p WITHIN 1 HOURS ON o.id = p.id
  GROUP BY o.id;
-- A query's own output under the server's service id is its own.
CREATE STREAM orders_flagged AS SELECT * FROM orders WHERE amount > 1000;
INSERT INTO orders SELECT * FROM orders_flagged;
