/**
 * The basic group each supergroup was migrated from, as the data folder's built days know it: the bot
 * receives a migrate_to_chat_id message in the old group and a migrate_from_chat_id one in the new.
 * `tgpipe import` stores a supergroup export's migrated history under that id when --migrated-from is
 * not given (the export itself never names the old group's id), so it meets the bot's own messages of
 * that time. A folder with no built day, or one DuckDB cannot read, knows none.
 */
export const MIGRATIONS_SQL = `SELECT chat_id AS old_id, migrate_to_chat_id AS new_id FROM telegram WHERE migrate_to_chat_id IS NOT NULL
UNION
SELECT migrate_from_chat_id AS old_id, chat_id AS new_id FROM telegram WHERE migrate_from_chat_id IS NOT NULL`;

/** Supergroup id -> basic group id; a supergroup linked to more than one old id (never live) is left out. */
export async function knownMigrations(dataDir: string): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  const ambiguous = new Set<number>();
  let rows: Record<string, unknown>[];
  try {
    const { DuckDbEngine } = await import('../adapters/local/duckdb-engine');
    const engine = await DuckDbEngine.open(dataDir, { threads: 1 });
    try {
      rows = await engine.query(MIGRATIONS_SQL);
    } finally {
      await engine.close();
    }
  } catch {
    return out;
  }
  for (const r of rows) {
    const oldId = Number(r.old_id);
    const newId = Number(r.new_id);
    // Only a basic group's id (-N) and a supergroup's (-100N) make a link.
    if (!Number.isSafeInteger(oldId) || !Number.isSafeInteger(newId) || oldId >= 0 || oldId <= -1_000_000_000_000 || newId > -1_000_000_000_000) continue;
    if (out.has(newId) && out.get(newId) !== oldId) ambiguous.add(newId);
    out.set(newId, oldId);
  }
  for (const id of ambiguous) out.delete(id);
  return out;
}
