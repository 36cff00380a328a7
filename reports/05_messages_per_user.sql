-- title: Messages per user
-- description: Messages sent by each user over the whole period.
-- source: the original pipeline, report "Total de mensagens enviadas por usuário" (verbatim)
-- chart: hbar
-- x: user_first_name
-- y: message_amount

SELECT 
  user_id, 
  user_first_name, 
  count(1) AS "message_amount" 
FROM "telegram" 
GROUP BY 
  user_id, 
  user_first_name 
ORDER BY message_amount DESC
