-- title: Top posters
-- description: The 20 users with the most messages, their share of the group's messages, how many
--   carried text and the average length of those texts (characters), and the days they were active.
-- chart: table

SELECT
  user_id,
  max(user_first_name) AS user_first_name,
  count(1) AS message_amount,
  round(100 * CAST(count(1) AS double) / sum(count(1)) OVER (), 1) AS share_percent,
  count(text) AS text_messages,
  round(avg(length(text)), 1) AS average_text_length,
  count(DISTINCT context_date) AS active_days
FROM telegram
WHERE user_id IS NOT NULL
GROUP BY user_id
ORDER BY message_amount DESC, user_id
LIMIT 20
