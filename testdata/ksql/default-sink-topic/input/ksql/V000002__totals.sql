-- No KAFKA_TOPIC: ksqlDB writes to the upper-cased name, ORDER_TOTALS, outside orders.*.
CREATE TABLE order_totals AS SELECT id, SUM(amount) AS total FROM orders GROUP BY id;
-- A quoted name keeps its case.
CREATE STREAM `orders.big.v1` AS SELECT * FROM orders WHERE amount > 1000;
