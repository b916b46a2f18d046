CREATE TABLE order_totals AS SELECT id, SUM(amount) AS total FROM orders GROUP BY id;
