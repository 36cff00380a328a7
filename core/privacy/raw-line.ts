/**
 * The privacy policy on one raw line (an envelope, an `unparsed` envelope, a bare update, or anything
 * else), for the jobs that read and write raw lines: erasure (rewriting objects), replay (records put back
 * on the stream) and import. A line the policy does not touch is kept byte for byte.
 */
import { isDataMode } from './data-mode';
import { mentionsAny } from './erasure';
import { applyPolicy, type PrivacyPolicy } from './policy';
import { withheldUnparsed } from './redact';
import { isUpdate } from '../update-kinds';

export type LineOutcome = { readonly action: 'keep' } | { readonly action: 'drop' } | { readonly action: 'rewrite'; readonly line: string };

const KEEP: LineOutcome = { action: 'keep' };
const DROP: LineOutcome = { action: 'drop' };

/** `text`: one line without its line break. A rewritten line has none either. */
export function applyPolicyToLine(text: string, policy: PrivacyPolicy): LineOutcome {
  const erased = policy.erased && !policy.erased.empty ? policy.erased : undefined;
  const mentioned = erased !== undefined && mentionsAny(text, erased.needles);
  if (policy.mode === 'full' && !mentioned) return KEEP;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return mentioned ? DROP : KEEP; // not JSON: nothing to redact inside it, only to keep or not
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return mentioned ? DROP : KEEP;
  const record = value as Record<string, unknown>;
  if ('update' in record || 'unparsed' in record) {
    const stored = isDataMode(record.data_mode) ? record.data_mode : 'full';
    if (!isUpdate(record.update)) {
      if (mentioned) return DROP;
      if (policy.mode !== 'full' && stored === 'full' && typeof record.unparsed === 'string') {
        return { action: 'rewrite', line: JSON.stringify({ ...record, data_mode: policy.mode, unparsed: withheldUnparsed(record.unparsed, policy.mode) }) };
      }
      return KEEP;
    }
    const outcome = applyPolicy(record.update, stored, policy);
    if (!outcome.keep) return DROP;
    if (!outcome.changed) return KEEP;
    const { update: _old, data_mode: _mode, ...head } = record;
    return { action: 'rewrite', line: JSON.stringify({ ...head, ...(outcome.mode !== 'full' ? { data_mode: outcome.mode } : {}), update: outcome.update }) };
  }
  if (isUpdate(record)) {
    // A bare update (the original pipeline's layout) stays bare.
    const outcome = applyPolicy(record, 'full', policy);
    if (!outcome.keep) return DROP;
    return outcome.changed ? { action: 'rewrite', line: JSON.stringify(outcome.update) } : KEEP;
  }
  return mentioned ? DROP : KEEP;
}
