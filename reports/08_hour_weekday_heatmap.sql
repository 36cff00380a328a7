-- title: Activity by weekday and hour (configured offset)
-- description: Messages per ISO weekday (1 = Monday) and hour, in the configured UTC offset.
-- chart: heatmap weekday hour message_amount
SELECT
  day_of_week(from_unixtime("date" + {{utc_offset_seconds}})) AS weekday,
  hour(from_unixtime("date" + {{utc_offset_seconds}})) AS hour,
  count(1) AS message_amount
FROM telegram
GROUP BY 1, 2
ORDER BY 1, 2
