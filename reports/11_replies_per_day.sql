-- title: Replies per day
-- description: Messages that reply to another message (replies to a forum topic's root excluded), and
--   their share of the day's messages.
-- chart: bar
-- x: context_date
-- y: replies
-- sort: x

SELECT
  context_date,
  count_if(is_reply) AS replies,
  count(1) AS message_amount,
  round(100 * CAST(count_if(is_reply) AS double) / count(1), 1) AS reply_percent
FROM telegram
GROUP BY context_date
ORDER BY context_date
