-- title: Active users per day
-- description: Distinct users who sent at least one message each day, next to the day's messages.
-- chart: line
-- x: context_date
-- y: active_users, message_amount
-- sort: x

SELECT
  context_date,
  count(DISTINCT user_id) AS active_users,
  count(1) AS message_amount
FROM telegram
GROUP BY context_date
ORDER BY context_date
