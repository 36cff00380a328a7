-- title: Most replied-to users
-- description: Whose messages get answered: replies received per user (top 20), and by how many
--   different people.
-- chart: hbar
-- x: user_first_name
-- y: replies_received

WITH names AS (
  SELECT user_id, max(user_first_name) AS user_first_name
  FROM telegram
  WHERE user_id IS NOT NULL
  GROUP BY user_id
)
SELECT
  r.reply_to_user_id AS user_id,
  coalesce(max(n.user_first_name), CAST(r.reply_to_user_id AS varchar)) AS user_first_name,
  count(1) AS replies_received,
  count(DISTINCT r.user_id) AS distinct_repliers
FROM telegram r
LEFT JOIN names n ON n.user_id = r.reply_to_user_id
WHERE r.reply_to_user_id IS NOT NULL
GROUP BY r.reply_to_user_id
ORDER BY replies_received DESC, user_id
LIMIT 20
