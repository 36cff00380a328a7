/**
 * The daily enrichment: every raw object of a day -> records -> one row per distinct update_id ->
 * `telegram` and `telegram_events` Parquet files at fixed keys -> partitions registered. The stores and
 * the catalog are parameters, so the Lambda (S3 + Athena) and the local pipeline (folders) run this code.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { addDays, eventDateOf, isIsoDate } from '../context-date';
import { flattenUpdate } from '../flatten';
import type { Logger } from '../log';
import { emfFields } from '../metrics';
import { objectRecords, type ObjectDamage } from '../object-lines';
import { objectArrivalMs } from '../arrival';
import { addNoChat, countNoChat, noChatKind, noChatTotal, type NoChatCounts } from '../no-chat';
import { isExportRecord, isSampleRecord, parseRawLine, type ExportPayload } from '../raw-records';
import { flattenExport } from '../flatten/export';
import { flattenSample, sampleKey } from '../flatten/sample';
import { ExportMerge } from './export-merge';
import { applyPolicyToExportRow } from '../privacy/export-row';
import { messageTerms, TermCounter } from '../terms';
import type { PartitionCatalog } from '../../ports/catalog';
import type { ObjectInfo, ObjectStore } from '../../ports/object-store';
import { parseDamageNote, type DamageNote } from './repair';
import { cleanStaleWorkDirs, makeWorkDir, removeWorkDir } from './work-dir';
import {
  DAMAGE_NOTE_SUFFIX,
  DAMAGED_PREFIX,
  isDataObjectKey,
  enrichedDayKey,
  enrichedDayPrefix,
  manifestKey,
  quarantineKey,
  rawDayPrefix,
  SCHEMA_VERSION,
  telegramEventsTable,
  telegramTable,
  telegramTermsTable,
} from '../../schemas';
import { keptByPreviousDay, rebuildNextDayIfItKeepsOurs } from './cross-day';
import { ARRIVAL_DATED_IDS_LIMIT, arrivalDatedIdsOf, manifestObjects, readManifest, unchangedSince, type DayManifest } from './day-plan';
import { fastShredSelfCheck, RowMisfitError, TableWriter } from './table-writer';
import { applyPolicy, type PrivacyPolicy } from '../privacy/policy';
import type { DataMode } from '../privacy/data-mode';
import type { Pseudonymizer } from '../privacy/pseudonym';
import { readRegister } from '../privacy/register-store';

export { ARRIVAL_DATED_IDS_LIMIT, previousDay } from './day-plan';

export interface EnrichDeps {
  readonly raw: ObjectStore;
  readonly enriched: ObjectStore;
  readonly catalog: PartitionCatalog;
  readonly logger: Logger;
  /** Root of the enriched bucket for partition LOCATIONs, e.g. `s3://bucket` or a folder path. */
  readonly enrichedLocation: string;
  /** Folder for temporary Parquet files (defaults to the OS temp folder, /tmp on Lambda). */
  readonly tmpDir?: string;
  /**
   * The deployment's data mode (DATA_MODE) and pseudonym key: records stored under a weaker mode are
   * made this strict before they are flattened. Absent: each record as it was stored. The erasure
   * register (in the raw store) is applied whatever this says.
   */
  readonly privacy?: { readonly mode: DataMode; readonly pseudonymize?: Pseudonymizer };
}

export interface DaySummary {
  date: string;
  status: 'built' | 'empty' | 'unchanged';
  objects: number;
  bytes: number;
  lines: number;
  /** Rows written per table; `telegram_terms` rows are counts over the day's messages, not lines. */
  rows: { telegram: number; telegram_events: number; telegram_terms: number };
  /** Copies not kept: later copies of an update_id within the day, plus `cross_day_duplicates`. */
  duplicates: number;
  /**
   * Of `duplicates`: arrival-dated updates (no date of their own) that the day before kept, i.e. one
   * update redelivered across midnight into two day folders. The earlier day keeps it.
   */
  cross_day_duplicates: number;
  /** `export` records read (tgpipe import); kept ones are `telegram` rows with source 'export'. */
  exported: number;
  /**
   * Of `duplicates`: export records dropped because the day holds the same message live (the live row
   * wins), or an earlier export record of it (an export imported twice).
   */
  export_duplicates: number;
  /**
   * `sample` records kept (measurements the pipeline took, e.g. getChatMemberCount): `telegram_events`
   * rows keyed by (kind, chat_id, at); a second copy of one is a duplicate.
   */
  samples: number;
  quarantined: number;
  /** Records not kept because the erasure register names their person or chat. */
  erased: number;
  /**
   * Updates with no chat (poll_answer, inline_query, ...; core/no-chat.ts), by kind: not a group's data,
   * dropped here as the webhook drops them (they reach the raw layer only from the original bucket
   * layout, or from data stored before the webhook dropped them). Absent in summaries of older builds.
   */
  no_chat: NoChatCounts;
  /** Rows per data mode they hold (a day with two modes is flagged: the mode changed that day). */
  data_modes: Partial<Record<DataMode, number>>;
  ms: number;
  /**
   * Set when this run found the next day keeping arrival-dated updates this day keeps (it was built
   * first, or concurrently) and rebuilt it, which dropped them: that rebuild's summary.
   */
  next_day_rebuilt?: DaySummary;
}

export interface EnrichOptions {
  /** Rebuild even when the raw objects did not change since the last build. */
  readonly force?: boolean;
  /**
   * After the day (built or unchanged), check whether the next day keeps arrival-dated updates this day
   * keeps and rebuild it if so (default true). That rebuild runs with `false`: one level deep only.
   */
  readonly checkNextDay?: boolean;
  /** At most this many arrival-dated update_ids go into the manifest (default ARRIVAL_DATED_IDS_LIMIT). */
  readonly arrivalDatedIdsLimit?: number;
  /**
   * Count the terms of the day's messages into `telegram_terms` (default true). Off (the benchmark's
   * baseline), the day has no terms file: a stale one is deleted, as for any table left without rows.
   */
  readonly terms?: boolean;
}

/** The day's raw data objects, by the one rule every reader uses (`isDataObjectKey`); the rest is named. */
async function listDay(raw: ObjectStore, date: string, logger: Logger): Promise<ObjectInfo[]> {
  const objects: ObjectInfo[] = [];
  const skipped: string[] = [];
  for await (const o of raw.list(rawDayPrefix(date))) {
    if (isDataObjectKey(o.key)) objects.push(o);
    else skipped.push(o.key);
  }
  if (skipped.length > 0) {
    logger.info(`${skipped.length} key(s) under ${rawDayPrefix(date)} are not data objects (names starting with _ or ., sub-folders, half-written files): not read, as Athena does not`, {
      event: 'not_data_objects',
      date,
      keys: skipped.slice(0, 20),
    });
  }
  return objects;
}

/** The notes `tgpipe repair` left for the day's objects it rewrote: what their damage set aside. */
async function damageNotes(raw: ObjectStore, date: string): Promise<DamageNote[]> {
  const notes: DamageNote[] = [];
  for await (const o of raw.list(`${DAMAGED_PREFIX}${rawDayPrefix(date)}`)) {
    if (!o.key.endsWith(DAMAGE_NOTE_SUFFIX)) continue;
    const note = parseDamageNote(await raw.readSmall(o.key));
    if (note) notes.push(note);
  }
  return notes;
}

/** Objects whose reads are started ahead of the one being parsed (S3: hides a GetObject's latency). */
export const READ_AHEAD = 4;

/**
 * The objects' byte streams in listing order, with up to `ahead` reads started early: on S3 each
 * GetObject costs a round trip, ~1,400 of them a day, which would otherwise add up to tens of seconds.
 */
async function* readInOrder(store: ObjectStore, objects: readonly ObjectInfo[], ahead = READ_AHEAD): AsyncGenerator<{ object: ObjectInfo; stream: Readable }> {
  const pending: Promise<Readable>[] = [];
  let next = 0;
  const fill = () => {
    while (pending.length < ahead && next < objects.length) {
      const read = store.read(objects[next]!.key);
      read.catch(() => {}); // observed when its turn comes
      pending.push(read);
      next += 1;
    }
  };
  try {
    for (const object of objects) {
      fill();
      const stream = await pending.shift()!;
      fill();
      yield { object, stream };
    }
  } finally {
    // Stopped early (an error): close the streams opened ahead.
    for (const read of pending.splice(0)) read.then((s) => s.destroy(), () => {});
  }
}

const TABLES = [telegramTable, telegramEventsTable, telegramTermsTable] as const;
type TableName = 'telegram' | 'telegram_events' | 'telegram_terms';

/** Quarantined records logged one by one per day (reason, object, line); the rest are counted by reason. */
export const QUARANTINE_LOG_LIMIT = 100;

/** ADD IF NOT EXISTS PARTITION for one table's day (idempotent). */
async function registerPartition(table: string, date: string, deps: EnrichDeps): Promise<void> {
  await deps.catalog.addPartition(table, date, `${deps.enrichedLocation.replace(/\/$/, '')}/${enrichedDayPrefix(table, date)}`);
}

/** The rows per table a manifest says its build wrote, when it says so. */
function builtRows(manifest: DayManifest): DaySummary['rows'] | undefined {
  const rows = (manifest.summary as { rows?: Record<string, unknown> } | null)?.rows;
  const telegram = rows?.telegram;
  const events = rows?.telegram_events;
  const terms = rows?.telegram_terms;
  return typeof telegram === 'number' && typeof events === 'number' ? { telegram, telegram_events: events, telegram_terms: typeof terms === 'number' ? terms : 0 } : undefined;
}

/** The counts of a day's last build that an unchanged visit reports as they were (tolerant of older manifests). */
function heldCounts(manifest: DayManifest): Partial<DaySummary> {
  const m = (manifest.summary ?? {}) as Record<string, unknown>;
  const out: Partial<DaySummary> = {};
  const counts = ['lines', 'duplicates', 'cross_day_duplicates', 'exported', 'export_duplicates', 'quarantined', 'erased'] as const;
  for (const name of counts) if (typeof m[name] === 'number') out[name] = m[name];
  if (m.no_chat && typeof m.no_chat === 'object') out.no_chat = addNoChat({}, m.no_chat as NoChatCounts);
  if (m.data_modes && typeof m.data_modes === 'object') out.data_modes = { ...(m.data_modes as DaySummary['data_modes']) };
  return out;
}

/**
 * Registers the partitions of a day's tables that have a file: by the rows its manifest counts (a table
 * with no rows has no file), or, for a manifest that does not say, by looking for the files.
 */
async function registerDay(date: string, rows: DaySummary['rows'] | undefined, deps: EnrichDeps): Promise<void> {
  for (const table of TABLES) {
    const name = table.name as keyof DaySummary['rows'];
    let hasFile = rows ? rows[name] > 0 : false;
    if (!rows) for await (const o of deps.enriched.list(enrichedDayPrefix(table.name, date))) if (o.key === enrichedDayKey(table.name, date)) hasFile = true;
    if (hasFile) await registerPartition(table.name, date, deps);
  }
}

/** Builds (or rebuilds) one day. */
export async function enrichDay(date: string, deps: EnrichDeps, options: EnrichOptions = {}): Promise<DaySummary> {
  if (!isIsoDate(date)) throw new Error(`invalid date "${date}": expected YYYY-MM-DD`);
  const started = performance.now();
  const summary: DaySummary = { date, status: 'built', objects: 0, bytes: 0, lines: 0, rows: { telegram: 0, telegram_events: 0, telegram_terms: 0 }, duplicates: 0, cross_day_duplicates: 0, exported: 0, export_duplicates: 0, samples: 0, quarantined: 0, erased: 0, no_chat: {}, data_modes: {}, ms: 0 };
  const checkNextDay = options.checkNextDay ?? true;
  // The next day, rebuilt when it keeps arrival-dated updates this day keeps; that rebuild looks no further.
  const rebuildNext = (next: string) => enrichDay(next, deps, { force: true, checkNextDay: false });
  const arrivalDatedLimit = options.arrivalDatedIdsLimit ?? ARRIVAL_DATED_IDS_LIMIT;
  const objects = await listDay(deps.raw, date, deps.logger);
  summary.objects = objects.length;
  summary.bytes = objects.reduce((n, o) => n + o.size, 0);

  if (objects.length === 0) {
    summary.status = 'empty';
    summary.ms = Math.round(performance.now() - started);
    deps.logger.info(`no raw objects for ${date}: nothing written, nothing registered`, { event: 'enrich_day', ...summary });
    return summary;
  }
  if (!options.force) {
    const manifest = await readManifest(deps.enriched, date);
    if (unchangedSince(manifest, objects, SCHEMA_VERSION)) {
      // The manifest (and its arrival-dated list) stays as it is; the next day is still checked against it,
      // which also mends a pair of days built at the same time.
      summary.status = 'unchanged';
      // Registered on every visit, not only when built: a dropped partition or a recreated table (a new
      // stack over kept buckets) would otherwise leave the day invisible until someone forced it.
      const built = builtRows(manifest!);
      if (built) summary.rows = built;
      // What the day holds, as its last build counted it (not the zeros of a run that read nothing).
      Object.assign(summary, heldCounts(manifest!));
      await registerDay(date, built, deps);
      summary.ms = Math.round(performance.now() - started);
      deps.logger.info(`raw objects of ${date} unchanged since the last build: skipped, partitions registered`, { event: 'enrich_day', ...summary });
      if (checkNextDay) {
        const rebuilt = await rebuildNextDayIfItKeepsOurs(date, arrivalDatedIdsOf(manifest), deps, rebuildNext);
        if (rebuilt) summary.next_day_rebuilt = rebuilt;
      }
      return summary;
    }
  }
  // Arrival-dated updates the day before kept: a copy here is the same update redelivered after midnight.
  const previousKept = await keptByPreviousDay(date, deps);
  // Erased people and chats never come back, whatever the raw objects still hold (a replay of a backup).
  const register = await readRegister(deps.raw);
  const policy: PrivacyPolicy = {
    mode: deps.privacy?.mode ?? 'full',
    pseudonymize: deps.privacy?.pseudonymize,
    erased: register.matcher(deps.privacy?.pseudonymize),
  };

  // Work folders of runs that were killed (SIGKILL, a Lambda timeout) go first: nothing else removes them.
  await cleanStaleWorkDirs(deps.tmpDir ?? tmpdir(), deps.logger);
  const work = await makeWorkDir(deps.tmpDir ?? tmpdir(), date);
  const writers: Record<TableName, TableWriter> = {
    telegram: new TableWriter(telegramTable, work),
    telegram_events: new TableWriter(telegramEventsTable, work),
    telegram_terms: new TableWriter(telegramTermsTable, work),
  };
  // Terms of the kept messages, counted as they go by (the day's text is not held).
  const terms = options.terms === false ? undefined : new TermCounter();
  const quarantinePath = join(work, 'quarantine.jsonl.gz');
  const quarantine = createGzip();
  const quarantineDone = new Promise<void>((resolve, reject) => {
    const out = createWriteStream(quarantinePath);
    quarantine.pipe(out).on('finish', resolve).on('error', reject);
  });
  // One entry per distinct update_id of the day: ~1M numbers is tens of MB, the only state that grows.
  const seen = new Set<number>();
  // Samples have no update_id: one per (kind, chat_id, at), a handful a day.
  const seenSamples = new Set<string>();
  // Export records wait for the day's live rows: the live message wins (core/enrich/export-merge.ts).
  const merge = new ExportMerge(work);
  // The arrival-dated update_ids kept (null once past the limit), for the manifest.
  let arrivalDated: number[] | null = [];
  let arrivalDatedKept = 0;
  const reasons: Record<string, number> = {};
  // Records whose envelope names another context_date stay in the day whose folder holds them (Firehose
  // put them there); counted and named in the summary line.
  const otherDates: Record<string, number> = {};
  let otherDateRecords = 0;
  const noteOtherDate = (contextDate: string | undefined): void => {
    if (contextDate === undefined || contextDate === date) return;
    otherDateRecords += 1;
    const known = otherDates[contextDate];
    if (known !== undefined || Object.keys(otherDates).length < 20) otherDates[contextDate] = (known ?? 0) + 1;
  };
  for (const table of TABLES) {
    const off = await fastShredSelfCheck(table);
    if (off) deps.logger.warn(`fast Parquet shredding off for ${table.name}: ${off}`, { event: 'fast_shred_off', table: table.name, reason: off });
  }

  /** Keeps a record aside (counted, logged without its text, written to the day's quarantine object). */
  const setAside = async (key: string, line: number, text: string, reason: string, detail?: string, extra?: Record<string, unknown>): Promise<void> => {
    summary.quarantined += 1;
    reasons[reason] = (reasons[reason] ?? 0) + 1;
    if (summary.quarantined <= QUARANTINE_LOG_LIMIT) {
      deps.logger.warn(`quarantined record of ${date}: ${reason}`, { event: 'quarantined_record', date, object: key, line, reason, ...(detail ? { detail } : {}), ...extra });
    }
    const kept = `${JSON.stringify({ object: key, line, reason, ...(detail ? { detail } : {}), ...extra, record: text })}\n`;
    if (!quarantine.write(kept)) await new Promise((r) => quarantine.once('drain', r));
  };

  try {
    // A damaged object costs only its damage: the lines before it are read, the damage is set aside.
    const damagedNow = new Set<string>();
    const setAsideDamage = async (key: string, line: number, damage: Omit<ObjectDamage, 'records'>, records: readonly string[], extra: Record<string, unknown> = {}) => {
      for (const [i, text] of records.entries()) {
        const where = { offset: damage.offset, member_start: damage.memberStart, damage: damage.reason, ...extra };
        await setAside(key, line + i + 1, text, 'damaged_object', i === 0 ? damage.detail : 'a line of a gzip member that fails its CRC check', where);
      }
    };
    for await (const { object, stream } of readInOrder(deps.raw, objects)) {
      let line = 0;
      const found: { damage?: ObjectDamage } = {};
      for await (const text of objectRecords(stream, (d) => (found.damage = d))) {
        line += 1;
        summary.lines += 1;
        const record = parseRawLine(text);
        if (!record.ok) {
          await setAside(object.key, line, text, record.reason);
          continue;
        }
        if (isExportRecord(record)) {
          summary.exported += 1;
          noteOtherDate(record.contextDate);
          await merge.setAside(text, object.key, line);
          continue;
        }
        if (isSampleRecord(record)) {
          const key = sampleKey(record.sample);
          if (seenSamples.has(key)) {
            summary.duplicates += 1;
            continue;
          }
          seenSamples.add(key);
          noteOtherDate(record.contextDate);
          // An erased chat's samples go with it (the erasure rewrites raw objects too; this covers a replayed backup).
          if (policy.erased && !policy.erased.empty && policy.erased.isChat(record.sample.chat_id)) {
            summary.erased += 1;
            continue;
          }
          try {
            const pending = writers.telegram_events.append(flattenSample(record.sample, record.receivedAt, policy.mode));
            if (pending) await pending;
          } catch (error) {
            if (!(error instanceof RowMisfitError)) throw error;
            await setAside(object.key, line, text, 'column_misfit', error.message);
            continue;
          }
          summary.samples += 1;
          summary.data_modes[policy.mode] = (summary.data_modes[policy.mode] ?? 0) + 1;
          continue;
        }
        const id = record.update.update_id;
        if (seen.has(id)) {
          summary.duplicates += 1;
          continue;
        }
        seen.add(id);
        // No chat: not a group's data; dropped and counted by kind, as on the webhook.
        const noChat = noChatKind(record.update);
        if (noChat !== undefined) {
          countNoChat(summary.no_chat, noChat);
          continue;
        }
        // Dated by its arrival (no date of its own): a redelivery across midnight puts a copy in two days.
        const byArrival = eventDateOf(record.update) === undefined;
        if (byArrival && previousKept?.has(id)) {
          summary.duplicates += 1;
          summary.cross_day_duplicates += 1;
          continue;
        }
        noteOtherDate(record.contextDate);
        // Flattening is total over updates (test/flatten/flatten-fuzz.test.ts) and a refused row leaves the
        // writer untouched: should either still happen, one record is set aside, not the whole day.
        let flat: ReturnType<typeof flattenUpdate>;
        try {
          const kept = applyPolicy(record.update, record.dataMode ?? 'full', policy);
          if (!kept.keep) {
            summary.erased += 1;
            continue;
          }
          // A bare update (the original bucket layout) has no received_at: its object says when it came.
          flat = flattenUpdate(kept.update, record.receivedAt, kept.mode, record.receivedAt === undefined ? objectArrivalMs(object.key, object.lastModified.getTime()) : undefined);
        } catch (error) {
          await setAside(object.key, line, text, 'flatten_failed', (error as Error).message);
          continue;
        }
        try {
          const pending = writers[flat.table].append(flat.row);
          if (pending) await pending;
        } catch (error) {
          if (!(error instanceof RowMisfitError)) throw error;
          await setAside(object.key, line, text, 'column_misfit', error.message);
          continue;
        }
        const mode = flat.row.data_mode as DataMode;
        summary.data_modes[mode] = (summary.data_modes[mode] ?? 0) + 1;
        if (flat.table === 'telegram') merge.noteLive(flat.row);
        if (terms && flat.message && (typeof flat.message.text === 'string' || typeof flat.message.caption === 'string')) {
          terms.startMessage(flat.row.chat_id as number | null, flat.row.user_id as number | null);
          messageTerms(flat.message, terms.add);
        }
        if (byArrival) {
          arrivalDatedKept += 1;
          if (arrivalDated !== null) {
            if (arrivalDated.length < arrivalDatedLimit) arrivalDated.push(id);
            else arrivalDated = null;
          }
        }
      }
      if (found.damage) {
        const { records, ...damage } = found.damage;
        damagedNow.add(object.key);
        summary.lines += records.length;
        await setAsideDamage(object.key, line, damage, records);
        deps.logger.warn(`raw object ${object.key} is damaged (${damage.reason} at byte ${damage.offset}): its ${line} line(s) before the damage are read, the rest is quarantined; tgpipe repair rewrites it so the raw table reads it again`, {
          event: 'damaged_object',
          date,
          object: object.key,
          offset: damage.offset,
          reason: damage.reason,
          detail: damage.detail,
          lines_read: line,
        });
      }
    }
    // Records `tgpipe repair` took out of objects it rewrote (the same records a read of the damaged object
    // sets aside, so a day counts the same before and after a repair). Not for an object still damaged
    // (a repair that stopped half-way) nor one no longer listed.
    const listed = new Set(objects.map((o) => o.key));
    for (const note of await damageNotes(deps.raw, date)) {
      if (!listed.has(note.key) || damagedNow.has(note.key)) continue;
      summary.lines += note.records.length;
      await setAsideDamage(note.key, note.readable_lines, note.damage, note.records, { damaged_copy: note.original });
    }
    // The day's export records, now that every live row of the day is known.
    for await (const { object, line, text } of merge.lines()) {
      const record = parseRawLine(text);
      const payload = (record as { export: ExportPayload }).export;
      let row: ReturnType<typeof flattenExport>;
      try {
        row = flattenExport(payload);
      } catch (error) {
        await setAside(object, line, text, 'flatten_failed', (error as Error).message);
        continue;
      }
      if (!merge.keep(row, payload.chat.account_local_ids === true)) {
        summary.duplicates += 1;
        summary.export_duplicates += 1;
        continue;
      }
      // After the dedupe (on the real ids): the deployment's mode and the erasure register.
      const kept = applyPolicyToExportRow(row, policy);
      if (!kept.keep) {
        summary.erased += 1;
        continue;
      }
      row = kept.row;
      summary.data_modes[kept.mode] = (summary.data_modes[kept.mode] ?? 0) + 1;
      try {
        const pending = writers.telegram.append(row);
        if (pending) await pending;
      } catch (error) {
        if (!(error instanceof RowMisfitError)) throw error;
        await setAside(object, line, text, 'column_misfit', error.message);
      }
    }
    quarantine.end();
    await quarantineDone;
    if (terms) {
      for (const row of terms.rows()) {
        const pending = writers.telegram_terms.append(row);
        if (pending) await pending;
      }
    }
    summary.rows.telegram_terms = writers.telegram_terms.rows;
    summary.rows.telegram = writers.telegram.rows;
    summary.rows.telegram_events = writers.telegram_events.rows;
    const accounted = summary.rows.telegram + summary.rows.telegram_events + summary.duplicates + summary.quarantined + summary.erased + noChatTotal(summary.no_chat);
    if (accounted !== summary.lines) {
      throw new Error(`enrichment of ${date} does not add up: ${summary.lines} lines but ${accounted} rows + duplicates + quarantined`);
    }

    for (const table of TABLES) {
      const path = await writers[table.name as TableName].close();
      const key = enrichedDayKey(table.name, date);
      if (path) {
        await deps.enriched.write(key, createReadStream(path), 'application/vnd.apache.parquet');
        await registerPartition(table.name, date, deps);
      } else {
        await deps.enriched.delete(key); // a re-run with no rows left for this table must not keep stale rows
      }
    }
    if (summary.quarantined > 0) {
      await deps.enriched.write(quarantineKey(date), createReadStream(quarantinePath), 'application/gzip');
      deps.logger.warn(`quarantined ${summary.quarantined} records of ${date}`, {
        event: 'quarantine',
        date,
        reasons,
        key: quarantineKey(date),
        not_logged_one_by_one: Math.max(0, summary.quarantined - QUARANTINE_LOG_LIMIT),
      });
    } else {
      await deps.enriched.delete(quarantineKey(date));
    }
    summary.ms = Math.round(performance.now() - started);
    const modes = Object.keys(summary.data_modes);
    if (modes.length > 1) {
      deps.logger.warn(`${date} holds rows of ${modes.length} data modes (${modes.join(', ')}): the mode changed; per-member numbers of this day mix them`, {
        event: 'mixed_data_modes',
        date,
        data_modes: summary.data_modes,
      });
    }
    if (arrivalDated === null) {
      deps.logger.warn(`${date} kept ${arrivalDatedKept} arrival-dated updates, more than ${arrivalDatedLimit}: none recorded, the cross-day check against ${date} is off`, {
        event: 'cross_day_check',
        date,
        state: 'not_recorded',
        arrival_dated: arrivalDatedKept,
      });
    }
    const manifest: DayManifest = {
      schema_version: SCHEMA_VERSION,
      date,
      built_at: new Date().toISOString(),
      objects: manifestObjects(objects),
      arrival_dated_ids: arrivalDated,
      data_modes: summary.data_modes,
      summary,
    };
    await deps.enriched.write(manifestKey(date), JSON.stringify(manifest, null, 1), 'application/json');
  } finally {
    merge.close();
    quarantine.destroy();
    await removeWorkDir(work);
  }

  deps.logger.info(`enriched ${date}`, {
    event: 'enrich_day',
    ...summary,
    arrival_dated: arrivalDatedKept,
    ...(otherDateRecords > 0 ? { other_context_date: otherDateRecords, other_context_dates: otherDates } : {}),
    ...emfFields({
      EnrichedLines: { value: summary.lines, unit: 'Count' },
      EnrichedMessages: { value: summary.rows.telegram, unit: 'Count' },
      EnrichedEvents: { value: summary.rows.telegram_events, unit: 'Count' },
      Duplicates: { value: summary.duplicates, unit: 'Count' },
      Quarantined: { value: summary.quarantined, unit: 'Count' },
      DroppedNoChat: { value: noChatTotal(summary.no_chat), unit: 'Count' },
      EnrichmentDuration: { value: summary.ms, unit: 'Milliseconds' },
    }),
  });
  if (checkNextDay) {
    const rebuilt = await rebuildNextDayIfItKeepsOurs(date, arrivalDated, deps, rebuildNext);
    if (rebuilt) summary.next_day_rebuilt = rebuilt;
  }
  return summary;
}

/**
 * D-1 plus a look-back: the previous `lookbackDays` days are re-checked and rebuilt only when their raw
 * objects changed since their manifest (late data, replays).
 */
export async function enrichWithLookback(date: string, lookbackDays: number, deps: EnrichDeps): Promise<DaySummary[]> {
  const summaries: DaySummary[] = [];
  for (let back = lookbackDays; back >= 1; back -= 1) summaries.push(await enrichDay(addDays(date, -back), deps));
  summaries.push(await enrichDay(date, deps));
  return summaries;
}
