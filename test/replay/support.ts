/** Shared helpers of the replay tests: updates, envelopes, a simulated clock. */
import { buildEnvelope, parseUpdateBody } from '../../core/envelope';
import type { Clock } from '../../core/replay/rate-limiter';

export const DAY = '2026-05-10';
export const OFFSET = -180;

/** A message update of DAY (15:00 UTC = 12:00 at -03:00), `text` of any length. */
export const update = (id: number, text = 'x', day = DAY): string =>
  JSON.stringify({ update_id: id, message: { message_id: id, date: Date.parse(`${day}T15:00:00Z`) / 1000, chat: { id: -100, type: 'supergroup' }, from: { id: 1 + (id % 3), is_bot: false, first_name: 'A' }, text } });

/** The webhook's envelope line for `update(id)`, newline-terminated. */
export const envelope = (id: number, text?: string, day = DAY): string => {
  const body = update(id, text, day);
  return buildEnvelope(body, parseUpdateBody(body), Date.parse(`${day}T15:00:01Z`), OFFSET).line;
};

/** A simulated clock: sleeping advances time at once, and is recorded. */
export function fakeClock(start = 0): Clock & { slept: number[] } {
  let t = start;
  const slept: number[] = [];
  return {
    now: () => t,
    sleep: async (ms) => {
      slept.push(ms);
      t += ms;
    },
    slept,
  };
}

export const idsOf = (lines: readonly string[]): number[] => lines.map((l) => (JSON.parse(l) as { update: { update_id: number } }).update.update_id);
