/**
 * `tgpipe export-user`: everything the tables hold about one person, for an access request: their rows
 * of `telegram` (messages they sent) and `telegram_events` (edits, reactions, votes, ... they made, and
 * membership changes about them), as JSON. The SQL runs unchanged on Athena and the local engine.
 */
import type { QueryEngine } from '../../ports/catalog';

export interface UserExport {
  readonly user_id: number;
  /** The id as the tables hold it (the pseudonym in `pseudonymous` mode). */
  readonly stored_id: number;
  readonly exported_at: string;
  readonly telegram: Record<string, unknown>[];
  readonly telegram_events: Record<string, unknown>[];
}

export const exportQueries = (storedId: number): { telegram: string; telegram_events: string } => {
  if (!Number.isSafeInteger(storedId)) throw new Error(`not a user id: ${storedId}`);
  return {
    telegram: `SELECT * FROM telegram WHERE user_id = ${storedId} ORDER BY date, message_id`,
    telegram_events: `SELECT * FROM telegram_events WHERE actor_user_id = ${storedId} OR member_user_id = ${storedId} ORDER BY event_ts, update_id`,
  };
};

export async function exportUser(engine: QueryEngine, userId: number, storedId: number, now = new Date()): Promise<UserExport> {
  const q = exportQueries(storedId);
  return {
    user_id: userId,
    stored_id: storedId,
    exported_at: now.toISOString(),
    telegram: await engine.query(q.telegram),
    telegram_events: await engine.query(q.telegram_events),
  };
}
