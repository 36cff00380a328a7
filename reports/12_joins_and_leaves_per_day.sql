-- title: Joins and leaves per day
-- description: Members who joined (new_chat_members) and left (left_chat_member) each day.
-- chart: bar context_date joins leaves
SELECT
  context_date,
  sum(coalesce(new_chat_member_count, 0)) AS joins,
  count_if(left_chat_member_id IS NOT NULL) AS leaves
FROM telegram
WHERE new_chat_member_count IS NOT NULL OR left_chat_member_id IS NOT NULL
GROUP BY context_date
ORDER BY context_date
