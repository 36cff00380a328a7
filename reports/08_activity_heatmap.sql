-- title: Activity by weekday and hour (local time)
-- description: Messages per weekday (1 = Monday .. 7 = Sunday) and hour of the day in the configured UTC
--   offset (CONTEXT_UTC_OFFSET), the same clock as context_date. The runner replaces
--   ${utc_offset_seconds} with the offset in seconds (-10800 for -03:00); on the Athena console, type it.
-- chart: heatmap
-- x: hour
-- y: weekday
-- value: message_amount

SELECT
  day_of_week(from_unixtime("date" + ${utc_offset_seconds})) AS weekday,
  hour(from_unixtime("date" + ${utc_offset_seconds})) AS hour,
  count(1) AS message_amount
FROM telegram
GROUP BY 1, 2
ORDER BY 1, 2
