-- title: Message kinds
-- description: How many messages of each kind (text, photo, sticker, service events, ...).
-- chart: doughnut message_kind message_amount
SELECT
  message_kind,
  count(1) AS message_amount
FROM telegram
GROUP BY message_kind
ORDER BY message_amount DESC, message_kind
