-- title: Replies per day
-- description: Messages that reply to another message, and their share of the day's messages.
-- chart: line context_date replies
SELECT
  context_date,
  count_if(is_reply) AS replies,
  round(100.0 * count_if(is_reply) / count(1), 1) AS reply_share_pct
FROM telegram
GROUP BY context_date
ORDER BY context_date
