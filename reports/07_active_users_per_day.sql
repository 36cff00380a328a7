-- title: Active users per day
-- description: Distinct people (not bots) who sent at least one message each day.
-- chart: line context_date active_users
SELECT
  context_date,
  count(DISTINCT user_id) AS active_users
FROM telegram
WHERE user_id IS NOT NULL AND NOT coalesce(user_is_bot, false)
GROUP BY context_date
ORDER BY context_date
