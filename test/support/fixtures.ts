/** The project's Telegram fixture set (test/fixtures/updates), read as the exact bytes Telegram would send. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export interface FixtureEntry {
  readonly file: string;
  readonly update_id: number;
  readonly kind: string;
  readonly message_kind: string | null;
  readonly chat_id: number | null;
  readonly event_date: number | null;
  readonly note?: string;
}

export interface Fixture extends FixtureEntry {
  /** The file's bytes, compacted to one line as Telegram sends them (key order and escapes kept). */
  readonly body: string;
  readonly update: Record<string, unknown>;
}

export const FIXTURE_DIR = join(import.meta.dirname, '..', 'fixtures', 'updates');

/** The chats the fixture set treats as allowed (see test/fixtures/updates/README.md). */
export const ALLOWED_CHATS = [-1001987654321, -4055512345];

export function loadFixtures(): Fixture[] {
  const manifest = JSON.parse(readFileSync(join(FIXTURE_DIR, 'manifest.json'), 'utf8')) as FixtureEntry[];
  const files = readdirSync(FIXTURE_DIR).filter((f) => f.endsWith('.json') && f !== 'manifest.json');
  if (files.length !== manifest.length) throw new Error(`manifest lists ${manifest.length} fixtures, folder has ${files.length}`);
  return manifest.map((entry) => {
    const text = readFileSync(join(FIXTURE_DIR, entry.file), 'utf8');
    const update = JSON.parse(text) as Record<string, unknown>;
    return { ...entry, body: JSON.stringify(update), update };
  });
}
