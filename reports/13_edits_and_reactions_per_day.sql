-- title: Edits and reactions per day
-- description: Edited messages and reaction changes per day, from telegram_events.
-- chart: bar context_date edits reactions
SELECT
  context_date,
  count_if(event_kind IN ('edited_message', 'edited_channel_post', 'edited_business_message')) AS edits,
  count_if(event_kind IN ('message_reaction', 'message_reaction_count')) AS reactions
FROM telegram_events
GROUP BY context_date
ORDER BY context_date
