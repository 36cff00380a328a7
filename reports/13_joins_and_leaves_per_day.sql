-- title: Joins and leaves per day
-- description: Members who joined and left each day. Telegram reports a join twice when the bot receives
--   both: a service message (new_chat_members / left_chat_member in telegram) and a chat_member update (in
--   telegram_events, only when the bot is an admin and asked for chat_member). Either can be missing (large
--   groups may hide service messages), so each day counts the larger of the two.
-- chart: bar
-- x: context_date
-- y: joins, leaves
-- sort: x

WITH service AS (
  SELECT
    context_date,
    sum(coalesce(new_chat_member_count, 0)) AS joins,
    count(left_chat_member_id) AS leaves
  FROM telegram
  WHERE message_kind IN ('new_chat_members', 'left_chat_member')
  GROUP BY context_date
),
member_updates AS (
  SELECT
    context_date,
    count_if(old_status IN ('left', 'kicked') AND new_status IN ('member', 'restricted', 'administrator', 'creator')) AS joins,
    count_if(old_status IN ('member', 'restricted', 'administrator', 'creator') AND new_status IN ('left', 'kicked')) AS leaves
  FROM telegram_events
  WHERE event_kind = 'chat_member'
  GROUP BY context_date
),
days AS (
  SELECT context_date FROM service
  UNION
  SELECT context_date FROM member_updates
)
SELECT
  d.context_date,
  CAST(CASE WHEN coalesce(m.joins, 0) > coalesce(s.joins, 0) THEN m.joins ELSE coalesce(s.joins, 0) END AS bigint) AS joins,
  CAST(CASE WHEN coalesce(m.leaves, 0) > coalesce(s.leaves, 0) THEN m.leaves ELSE coalesce(s.leaves, 0) END AS bigint) AS leaves
FROM days d
LEFT JOIN service s ON s.context_date = d.context_date
LEFT JOIN member_updates m ON m.context_date = d.context_date
ORDER BY d.context_date
