/**
 * The dashboard's SQL: one query per fact, pre-aggregating the tables into small rows the page filters.
 * Athena (Trino) SQL that the local DuckDB engine runs through its translation (adapters/local), so the
 * same text runs on both; the page shows each query next to the numbers it feeds ("For analysts").
 *
 * Conventions: `sender` is the user (or, for channel posts and anonymous admins, the sender chat);
 * `day` is the context date as text (the pipeline's day boundary); `month` its first 7 characters;
 * local hours and weekdays shift `date` by the offset in force (zone.ts writes that expression).
 */
import { REPLY_BUCKETS_PER_E, SERVICE_KINDS, TOP_MEMBERS_DETAIL, TOP_MESSAGES_PER_CHAT, TOP_TERMS } from '../model';

export interface FactContext {
  /** SQL for the local wall-clock time of telegram."date" in unix seconds (zone.ts). */
  readonly localDate: string;
}

export interface Fact {
  readonly name: string;
  /** What the rows feed, for the analysts' view. */
  readonly feeds: string;
  sql(ctx: FactContext): string;
}

const SENDER = 'coalesce(user_id, sender_chat_id)';
/**
 * The local hour (0-23) and weekday (0 = Monday) of local unix seconds, by arithmetic: the same on Athena
 * and DuckDB, where hour(from_unixtime(x)) goes through a time-zone-aware timestamp per row (a second
 * over a million rows). Integer division truncates on Trino and is floored here: equal for seconds after 1970.
 */
const localHour = (seconds: string): string => `CAST(floor((${seconds} % 86400) / 3600) AS integer)`;
const localWeekday = (seconds: string): string => `CAST((floor(${seconds} / 86400) + 3) % 7 AS integer)`;
/** Messages people wrote: service messages (joins, pins, title changes, ...) left out. */
const WRITTEN = `coalesce(message_kind, 'other') NOT IN (${[...SERVICE_KINDS].map((k) => `'${k}'`).join(', ')})`;
const DAY = 'CAST(context_date AS varchar)';
const MONTH = 'substr(CAST(context_date AS varchar), 1, 7)';
const TOP = `top_members AS (
  SELECT sender FROM (
    SELECT ${SENDER} AS sender, count(1) AS messages FROM telegram GROUP BY 1 ORDER BY messages DESC, sender LIMIT ${TOP_MEMBERS_DETAIL}
  ) t
)`;

export const FACTS = {
  range: {
    name: 'range',
    feeds: 'the data range and totals',
    sql: () => `SELECT
  min(first_day) AS first_day,
  max(last_day) AS last_day,
  sum(CASE WHEN t = 'telegram' THEN n ELSE 0 END) AS messages,
  sum(CASE WHEN t = 'telegram_events' THEN n ELSE 0 END) AS events
FROM (
  SELECT 'telegram' AS t, CAST(min(context_date) AS varchar) AS first_day, CAST(max(context_date) AS varchar) AS last_day, count(1) AS n FROM telegram
  UNION ALL
  SELECT 'telegram_events' AS t, CAST(min(context_date) AS varchar) AS first_day, CAST(max(context_date) AS varchar) AS last_day, count(1) AS n FROM telegram_events
) r`,
  },
  chats: {
    name: 'chats',
    feeds: 'the chat filter: titles, forums, and migrations (a basic group and the supergroup it became are one group)',
    sql: () => `SELECT
  chat_id,
  max_by(chat_title, CASE WHEN chat_title IS NULL THEN NULL ELSE "date" END) AS title,
  bool_or(coalesce(chat_is_forum, false)) AS forum,
  max(migrate_to_chat_id) AS migrate_to,
  max(migrate_from_chat_id) AS migrate_from,
  max("date") AS last_date,
  count(1) AS messages
FROM telegram
WHERE chat_id IS NOT NULL
GROUP BY chat_id
UNION ALL
SELECT
  chat_id,
  max_by(chat_title, CASE WHEN chat_title IS NULL THEN NULL ELSE event_date END) AS title,
  false AS forum,
  CAST(NULL AS bigint) AS migrate_to,
  CAST(NULL AS bigint) AS migrate_from,
  max(event_date) AS last_date,
  0 AS messages
FROM telegram_events
WHERE chat_id IS NOT NULL AND chat_type IN ('group', 'supergroup', 'channel')
GROUP BY chat_id`,
  },
  members: {
    name: 'members',
    feeds: 'names, usernames, languages and the member filter',
    sql: () => `SELECT
  ${SENDER} AS sender,
  max_by(CASE WHEN user_id IS NULL THEN sender_chat_title ELSE trim(coalesce(user_first_name, '') || ' ' || coalesce(user_last_name, '')) END, "date") AS name,
  max_by(user_username, CASE WHEN user_username IS NULL THEN NULL ELSE "date" END) AS username,
  max_by(user_language_code, CASE WHEN user_language_code IS NULL THEN NULL ELSE "date" END) AS lang,
  bool_or(coalesce(user_is_bot, false)) AS bot,
  count(1) AS messages
FROM telegram
WHERE ${SENDER} IS NOT NULL
GROUP BY 1`,
  },
  actors: {
    name: 'actors',
    feeds: 'names of members who reacted or joined without writing',
    sql: () => `SELECT
  coalesce(actor_user_id, actor_chat_id) AS sender,
  max_by(actor_first_name, event_date) AS name,
  max_by(actor_username, CASE WHEN actor_username IS NULL THEN NULL ELSE event_date END) AS username,
  bool_or(coalesce(actor_is_bot, false)) AS bot
FROM telegram_events
WHERE coalesce(actor_user_id, actor_chat_id) IS NOT NULL AND event_kind IN ('message_reaction', 'chat_member')
GROUP BY 1`,
  },
  activity: {
    name: 'activity',
    feeds: 'Overview, Activity over time, People (leaderboard) and Content (message kinds): exact for every filter',
    sql: () => `SELECT
  ${DAY} AS day,
  chat_id,
  ${SENDER} AS sender,
  coalesce(message_kind, 'other') AS kind,
  count(1) AS messages,
  count(text_length) AS texts,
  coalesce(sum(text_length), 0) AS chars
FROM telegram
GROUP BY 1, 2, 3, 4`,
  },
  hours: {
    name: 'hours',
    feeds: 'When people write (weekday x hour in local time): exact for the time range and chat',
    sql: (c) => `SELECT
  ${DAY} AS day,
  chat_id,
  ${localHour(c.localDate)} AS hour,
  count(1) AS messages
FROM telegram
WHERE "date" IS NOT NULL AND ${WRITTEN}
GROUP BY 1, 2, 3`,
  },
  memberHours: {
    name: 'memberHours',
    feeds: `a member's weekday x hour map (whole period, the ${TOP_MEMBERS_DETAIL} most active members)`,
    sql: (c) => `WITH ${TOP}
SELECT
  chat_id,
  ${SENDER} AS sender,
  ${localWeekday(c.localDate)} * 24 + ${localHour(c.localDate)} AS slot,
  count(1) AS messages
FROM telegram
WHERE "date" IS NOT NULL AND ${WRITTEN} AND ${SENDER} IN (SELECT sender FROM top_members)
GROUP BY 1, 2, 3`,
  },
  joins: {
    name: 'joins',
    feeds: 'Members (joins and leaves per day): per day and chat, the larger of the service messages and the chat_member updates',
    sql: () => `WITH service AS (
  SELECT context_date, chat_id, sum(coalesce(new_chat_member_count, 0)) AS joins, count(left_chat_member_id) AS leaves
  FROM telegram
  WHERE message_kind IN ('new_chat_members', 'left_chat_member')
  GROUP BY 1, 2
),
member_updates AS (
  SELECT
    context_date,
    chat_id,
    count_if(old_status IN ('left', 'kicked') AND new_status IN ('member', 'restricted', 'administrator', 'creator')) AS joins,
    count_if(old_status IN ('member', 'restricted', 'administrator', 'creator') AND new_status IN ('left', 'kicked')) AS leaves
  FROM telegram_events
  WHERE event_kind = 'chat_member'
  GROUP BY 1, 2
),
keys AS (
  SELECT context_date, chat_id FROM service
  UNION
  SELECT context_date, chat_id FROM member_updates
)
SELECT
  CAST(k.context_date AS varchar) AS day,
  k.chat_id,
  CAST(CASE WHEN coalesce(m.joins, 0) > coalesce(s.joins, 0) THEN m.joins ELSE coalesce(s.joins, 0) END AS bigint) AS joins,
  CAST(CASE WHEN coalesce(m.leaves, 0) > coalesce(s.leaves, 0) THEN m.leaves ELSE coalesce(s.leaves, 0) END AS bigint) AS leaves
FROM keys k
LEFT JOIN service s ON s.context_date = k.context_date AND s.chat_id = k.chat_id
LEFT JOIN member_updates m ON m.context_date = k.context_date AND m.chat_id = k.chat_id`,
  },
  memberCount: {
    name: 'memberCount',
    feeds: "Members (member count over time): the day's last getChatMemberCount sample",
    sql: () => `SELECT
  ${DAY} AS day,
  chat_id,
  max_by(member_count, coalesce(event_date, 0)) AS member_count
FROM telegram_events
WHERE event_kind = 'member_count' AND member_count IS NOT NULL
GROUP BY 1, 2`,
  },
  repliesIn: {
    name: 'repliesIn',
    feeds: 'People (replies received): exact for every filter',
    sql: () => `SELECT
  ${DAY} AS day,
  chat_id,
  reply_to_user_id AS sender,
  count(1) AS replies
FROM telegram
WHERE is_reply AND reply_to_user_id IS NOT NULL
GROUP BY 1, 2, 3`,
  },
  replyPairs: {
    name: 'replyPairs',
    feeds: `Conversation (who replies to whom): per month and chat, between the ${TOP_MEMBERS_DETAIL} most active members`,
    sql: () => `WITH ${TOP}
SELECT
  ${MONTH} AS month,
  chat_id,
  ${SENDER} AS sender,
  reply_to_user_id AS target,
  count(1) AS replies
FROM telegram
WHERE is_reply
  AND ${SENDER} IN (SELECT sender FROM top_members)
  AND reply_to_user_id IN (SELECT sender FROM top_members)
GROUP BY 1, 2, 3, 4`,
  },
  replyTimes: {
    name: 'replyTimes',
    feeds: 'Conversation (time to the first reply): per month and chat, in buckets about 28% wide',
    sql: () => `WITH firsts AS (
  SELECT chat_id, reply_to_message_id AS message_id, min("date") AS first_reply
  FROM telegram
  WHERE is_reply AND reply_to_message_id IS NOT NULL AND coalesce(reply_to_user_id, -1) <> coalesce(user_id, -2)
  GROUP BY 1, 2
)
SELECT
  substr(CAST(m.context_date AS varchar), 1, 7) AS month,
  m.chat_id,
  CAST(floor(${REPLY_BUCKETS_PER_E} * ln(1 + (f.first_reply - m."date"))) AS integer) AS bucket,
  count(1) AS messages
FROM firsts f
JOIN telegram m ON m.chat_id = f.chat_id AND m.message_id = f.message_id
WHERE f.first_reply >= m."date"
GROUP BY 1, 2, 3`,
  },
  reactions: {
    name: 'reactions',
    feeds: 'Reactions (which, who reacts, who gets them) and the Overview: message_reaction updates; a reaction counts on the day it was added',
    sql: () => `SELECT
  CAST(e.context_date AS varchar) AS day,
  e.chat_id,
  coalesce(e.actor_user_id, e.actor_chat_id) AS actor,
  coalesce(m.user_id, m.sender_chat_id) AS author,
  e.reactions_old AS old_reactions,
  e.reactions_new AS new_reactions,
  count(1) AS events
FROM telegram_events e
LEFT JOIN telegram m ON m.chat_id = e.chat_id AND m.message_id = e.message_id
WHERE e.event_kind = 'message_reaction'
GROUP BY 1, 2, 3, 4, 5, 6`,
  },
  reactionCounts: {
    name: 'reactionCounts',
    feeds:
      "Reactions: anonymous reaction counts (message_reaction_count), and the counts of imported messages (a Telegram Desktop export's, on the message's day, before any live count: update_id NULL); the increase since the previous count of the same message",
    sql: () => `SELECT
  CAST(e.context_date AS varchar) AS day,
  e.chat_id,
  e.message_id,
  e.update_id,
  coalesce(m.user_id, m.sender_chat_id) AS author,
  e.reaction_counts
FROM telegram_events e
LEFT JOIN telegram m ON m.chat_id = e.chat_id AND m.message_id = e.message_id
WHERE e.event_kind = 'message_reaction_count' AND e.reaction_counts IS NOT NULL
UNION ALL
SELECT
  CAST(x.context_date AS varchar) AS day,
  x.chat_id,
  x.message_id,
  CAST(NULL AS bigint) AS update_id,
  coalesce(x.user_id, x.sender_chat_id) AS author,
  x.reaction_counts
FROM telegram x
WHERE x.source = 'export' AND x.reaction_counts IS NOT NULL`,
  },
  exportReactors: {
    name: 'exportReactors',
    feeds: "Reactions (who reacts): the recent reactors a Telegram Desktop export names on an imported message (telegram.recent_reactions), on the message's day; not for a message whose reactions the bot saw (message_reaction)",
    sql: () => `SELECT
  CAST(x.context_date AS varchar) AS day,
  x.chat_id,
  x.recent_reactions
FROM telegram x
WHERE x.source = 'export' AND x.recent_reactions IS NOT NULL AND x.recent_reactions <> '[]'
  AND NOT EXISTS (SELECT 1 FROM telegram_events e WHERE e.event_kind = 'message_reaction' AND e.chat_id = x.chat_id AND e.message_id = x.message_id)`,
  },
  topMessages: {
    name: 'topMessages',
    feeds: `Reactions (most reacted messages): the ${TOP_MESSAGES_PER_CHAT} most reacted messages of each chat, over the whole period`,
    sql: () => `WITH per_user AS (
  SELECT chat_id, message_id, coalesce(actor_user_id, actor_chat_id) AS actor, max_by(reactions_new, update_id) AS reactions
  FROM telegram_events
  WHERE event_kind = 'message_reaction' AND message_id IS NOT NULL
  GROUP BY 1, 2, 3
),
users AS (
  SELECT chat_id, message_id, sum(json_array_length(json_parse(reactions))) AS n FROM per_user GROUP BY 1, 2
),
anonymous AS (
  SELECT chat_id, message_id, max_by(n, seq) AS n
  FROM (
    SELECT chat_id, message_id, reaction_total_count AS n, update_id AS seq
    FROM telegram_events
    WHERE event_kind = 'message_reaction_count' AND message_id IS NOT NULL
    UNION ALL
    -- An imported message's counts, as its export gives them; a later live count replaces them.
    SELECT chat_id, message_id, reaction_total_count AS n, -1 AS seq
    FROM telegram
    WHERE source = 'export' AND reaction_total_count IS NOT NULL
  ) counts
  GROUP BY 1, 2
),
total AS (
  SELECT coalesce(u.chat_id, a.chat_id) AS chat_id, coalesce(u.message_id, a.message_id) AS message_id, coalesce(u.n, 0) + coalesce(a.n, 0) AS n
  FROM users u
  FULL OUTER JOIN anonymous a ON a.chat_id = u.chat_id AND a.message_id = u.message_id
),
ranked AS (
  SELECT chat_id, message_id, n, row_number() OVER (PARTITION BY chat_id ORDER BY n DESC, message_id) AS rank
  FROM total
  WHERE n > 0
)
SELECT
  r.chat_id,
  r.message_id,
  r.n AS reactions,
  CAST(m.context_date AS varchar) AS day,
  coalesce(m.user_id, m.sender_chat_id) AS sender,
  substr(coalesce(m.text, m.caption, ''), 1, 200) AS text,
  m.message_kind AS kind
FROM ranked r
LEFT JOIN telegram m ON m.chat_id = r.chat_id AND m.message_id = r.message_id
WHERE r.rank <= ${TOP_MESSAGES_PER_CHAT}`,
  },
  terms: {
    name: 'terms',
    feeds: `Content (top words, emoji, hashtags, mentions, domains): telegram_terms, the ${TOP_TERMS} most used per month, chat and kind; stop words left out`,
    sql: () => `WITH monthly AS (
  SELECT ${MONTH} AS month, chat_id, term_kind, term, sum(occurrences) AS n
  FROM telegram_terms
  WHERE NOT coalesce(is_stop_word, false)
  GROUP BY 1, 2, 3, 4
),
ranked AS (
  SELECT month, chat_id, term_kind, term, n, row_number() OVER (PARTITION BY month, chat_id, term_kind ORDER BY n DESC, term) AS rank
  FROM monthly
)
SELECT month, chat_id, term_kind, term, n FROM ranked WHERE rank <= ${TOP_TERMS}`,
  },
  topics: {
    name: 'topics',
    feeds: 'Topics (messages per topic of forum supergroups): exact for the time range and chat',
    sql: () => `SELECT
  ${DAY} AS day,
  chat_id,
  CAST(CASE WHEN is_topic_message THEN message_thread_id END AS varchar) AS thread,
  count(1) AS messages
FROM telegram
WHERE chat_is_forum
GROUP BY 1, 2, 3`,
  },
  topicNames: {
    name: 'topicNames',
    feeds: "Topics: each topic's name, from its latest forum_topic_created / forum_topic_edited message",
    sql: () => `SELECT
  chat_id,
  CAST(message_thread_id AS varchar) AS thread,
  max_by(forum_topic_name, "date") AS name
FROM telegram
WHERE message_kind IN ('forum_topic_created', 'forum_topic_edited') AND forum_topic_name IS NOT NULL AND message_thread_id IS NOT NULL
GROUP BY 1, 2`,
  },
} satisfies Record<string, Fact>;

export type FactName = keyof typeof FACTS;
