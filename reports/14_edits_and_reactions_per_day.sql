-- title: Edits and reactions per day
-- description: Messages edited (edited_message updates) and reactions given (message_reaction updates
--   that set a reaction; a removal is not counted) each day. Reactions reach the bot only when it is an
--   admin and asked for message_reaction.
-- chart: line
-- x: context_date
-- y: edits, reactions
-- sort: x

SELECT
  context_date,
  count_if(event_kind = 'edited_message') AS edits,
  count_if(event_kind = 'message_reaction' AND reactions_new <> '[]') AS reactions
FROM telegram_events
WHERE event_kind IN ('edited_message', 'message_reaction')
GROUP BY context_date
ORDER BY context_date
