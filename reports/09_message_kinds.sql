-- title: Message kinds
-- description: What the group sends: text, photos, stickers, voice notes, ... and service events (joins,
--   leaves, title changes, pins) over the whole period.
-- chart: doughnut
-- x: message_kind
-- y: message_amount

SELECT
  message_kind,
  count(1) AS message_amount
FROM telegram
GROUP BY message_kind
ORDER BY message_amount DESC, message_kind
