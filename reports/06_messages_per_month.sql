-- title: Messages per month
-- description: Total messages per month of the year (the original pipeline's report).
-- chart: bar month message_amount
SELECT 
MONTH(context_date) AS "month",
COUNT(1) as "message_amount"
FROM telegram
GROUP BY MONTH(context_date)
