CREATE TABLE IF NOT EXISTS order_totals AS
  SELECT currency, SUM(amount) AS total
  FROM orders
  GROUP BY currency;
