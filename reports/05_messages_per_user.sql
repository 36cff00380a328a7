-- title: Messages per user
-- description: Total messages per user (the original pipeline's report).
-- chart: bar user_first_name message_amount
SELECT 
  user_id, 
  user_first_name, 
  count(1) AS "message_amount" 
FROM "telegram" 
GROUP BY 
  user_id, 
  user_first_name 
ORDER BY message_amount DESC
