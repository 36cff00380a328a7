-- title: Messages per day
-- description: Total messages sent per day (the original pipeline's report).
-- chart: line context_date message_amount
SELECT 
  context_date, 
  count(1) AS "message_amount" 
FROM "telegram" 
GROUP BY context_date 
ORDER BY context_date DESC
