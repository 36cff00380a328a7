/**
 * Member count over time, from Telegram itself: once a day the AWS watchdog and `tgpipe serve` (when a
 * bot token is set) ask `getChatMemberCount` for every allowed chat and keep each answer as a `sample`
 * raw record (DESIGN.md, Raw record kinds), which the enrichment turns into a `telegram_events` row of
 * kind `member_count`. Joins and leaves alone cannot give the count: the bot never sees who was there
 * before it came, and Telegram drops member updates of large groups.
 *
 * A chat that answers with an error (the bot was removed, Telegram is down, flood control) is skipped
 * and logged; the others are still sampled. Nothing here throws for one chat's answer.
 */
import { contextDateOfSample, type DayZone } from './context-date';
import { payloadLine } from './envelope';
import type { Logger } from './log';
import type { SamplePayload } from './raw-records';
import type { TelegramApi } from './telegram-api';

/** The raw line of one sample: the envelope's head as buildEnvelope writes it, then the payload. */
export function sampleLine(sample: SamplePayload, receivedAtMs: number, zone: DayZone): { line: string; contextDate: string } {
  const contextDate = contextDateOfSample(sample, receivedAtMs, zone);
  const payload = JSON.stringify({ kind: sample.kind, chat_id: sample.chat_id, count: sample.count, at: sample.at });
  return { line: `${payloadLine(receivedAtMs, contextDate, 'sample', payload)}\n`, contextDate };
}

export interface MemberCountRun {
  /** One raw line per chat that answered. */
  readonly lines: string[];
  readonly samples: SamplePayload[];
  /** Chats whose answer was an error: skipped, logged. */
  readonly failed: { readonly chat_id: number; readonly error: string }[];
}

export interface SampleOptions {
  readonly api: Pick<TelegramApi, 'getChatMemberCount'>;
  readonly chatIds: Iterable<number>;
  readonly zone: DayZone;
  readonly logger: Logger;
  readonly now?: () => number;
}

/** Asks Telegram for each chat's member count, one chat at a time (a handful of chats: no rate concern). */
export async function sampleMemberCounts(options: SampleOptions): Promise<MemberCountRun> {
  const now = options.now ?? Date.now;
  const lines: string[] = [];
  const samples: SamplePayload[] = [];
  const failed: { chat_id: number; error: string }[] = [];
  for (const chatId of options.chatIds) {
    let count: number;
    try {
      count = await options.api.getChatMemberCount(chatId);
      if (!Number.isSafeInteger(count) || count < 0) throw new Error(`getChatMemberCount answered ${JSON.stringify(count)}, not a count`);
    } catch (error) {
      const message = (error as Error).message;
      failed.push({ chat_id: chatId, error: message });
      options.logger.warn(`member count of chat ${chatId} not sampled: ${message}`, { event: 'member_count_failed', chat_id: chatId, error: message });
      continue;
    }
    const atMs = now();
    const sample: SamplePayload = { kind: 'member_count', chat_id: chatId, count, at: Math.floor(atMs / 1000) };
    samples.push(sample);
    lines.push(sampleLine(sample, atMs, options.zone).line);
  }
  options.logger.info(`member counts sampled: ${samples.length} chats${failed.length ? `, ${failed.length} failed` : ''}`, {
    event: 'member_count_sampled',
    sampled: samples.length,
    failed: failed.length,
    counts: Object.fromEntries(samples.map((s) => [String(s.chat_id), s.count])),
  });
  return { lines, samples, failed };
}
