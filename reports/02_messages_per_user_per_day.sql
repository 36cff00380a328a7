-- title: Messages per user per day
-- description: Messages sent per day by each user.
-- source: the original pipeline, report "Total de mensagens enviadas por dia, por usuário" (verbatim)
-- chart: stacked
-- x: context_date
-- y: message_amount
-- series: user_id, user_first_name
-- series_label: user_first_name
-- sort: x

SELECT 
  user_id, 
  user_first_name, 
  context_date, 
  count(1) AS "message_amount" 
FROM "telegram" 
GROUP BY 
  user_id, 
  user_first_name, 
  context_date 
ORDER BY context_date DESC
