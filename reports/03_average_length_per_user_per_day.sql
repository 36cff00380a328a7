-- title: Average message length per user per day
-- description: Average text length (characters) of each user's messages per day; messages without text do not count.
-- source: the original pipeline, report "Média de caracteres (tamanho) enviados por mensagem, por usuário, por dia" (verbatim)
-- chart: line
-- x: context_date
-- y: average_message_length
-- series: user_id, user_first_name
-- series_label: user_first_name
-- sort: x

SELECT 
  user_id, 
  user_first_name, 
  context_date,
  CAST(AVG(length(text)) AS INT) AS "average_message_length" 
FROM "telegram" 
GROUP BY 
  user_id, 
  user_first_name, 
  context_date 
ORDER BY context_date DESC
