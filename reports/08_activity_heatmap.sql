-- title: Activity by weekday and hour (local time)
-- description: Messages per weekday (1 = Monday .. 7 = Sunday) and hour of the day in the configured UTC
--   offset or time zone (CONTEXT_UTC_OFFSET, summer time followed), the same clock as context_date. The
--   runner replaces ${time_zone} with the zone as a string ('-03:00', 'Europe/Berlin'); on the Athena
--   console, type it.
-- chart: heatmap
-- x: hour
-- y: weekday
-- value: message_amount

SELECT
  day_of_week(at_timezone(from_unixtime("date"), ${time_zone})) AS weekday,
  hour(at_timezone(from_unixtime("date"), ${time_zone})) AS hour,
  count(1) AS message_amount
FROM telegram
GROUP BY 1, 2
ORDER BY 1, 2
