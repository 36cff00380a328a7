-- title: Messages per day
-- description: Messages sent per day (context_date, in the configured offset).
-- source: the original pipeline, report "Total de mensagens enviadas por dia" (verbatim)
-- chart: bar
-- x: context_date
-- y: message_amount
-- sort: x

SELECT 
  context_date, 
  count(1) AS "message_amount" 
FROM "telegram" 
GROUP BY context_date 
ORDER BY context_date DESC
