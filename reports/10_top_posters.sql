-- title: Top posters
-- description: The 20 most active senders, with their average text length.
-- chart: bar user_first_name message_amount
SELECT
  user_id,
  user_first_name,
  count(1) AS message_amount,
  round(avg(length(text)), 1) AS average_text_length
FROM telegram
WHERE user_id IS NOT NULL
GROUP BY user_id, user_first_name
ORDER BY message_amount DESC, user_id
LIMIT 20
