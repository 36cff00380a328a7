-- title: Messages per month
-- description: Messages sent per calendar month (1-12, all years together, as in the original).
-- source: the original pipeline, report "Total de mensagens enviadas por mês" (verbatim)
-- chart: bar
-- x: month
-- y: message_amount
-- sort: x

SELECT 
MONTH(context_date) AS "month",
COUNT(1) as "message_amount"
FROM telegram
GROUP BY MONTH(context_date)
