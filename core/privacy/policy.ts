/**
 * What a deployment's privacy settings do to a record, in one place for the webhook (before anything
 * is stored), the enrichment (records stored before a mode change, or before an erasure), replay and
 * import.
 */
import { stricterMode, type DataMode } from './data-mode';
import { eraseFromUpdate, type ErasureMatcher } from './erasure';
import type { Pseudonymizer } from './pseudonym';
import { redactUpdate } from './redact';
import type { AnyUpdate } from '../update-kinds';

export interface PrivacyPolicy {
  readonly mode: DataMode;
  /** The keyed pseudonym (needed in `pseudonymous` mode, and to match erased pseudonyms). */
  readonly pseudonymize?: Pseudonymizer;
  /** Erased people and chats (the register), or opted-out people at the webhook. */
  readonly erased?: ErasureMatcher;
}

export type PolicyOutcome =
  | { readonly keep: false; readonly reason: 'erased' }
  | { readonly keep: true; readonly update: AnyUpdate; readonly mode: DataMode; readonly changed: boolean };

/**
 * One record under the policy: dropped when it is an erased person's or chat's, else with erased people
 * taken out and made at least as strict as the deployment's mode. `storedMode`: the mode it was kept
 * under (the envelope's `data_mode`; `full` when absent).
 */
export function applyPolicy(update: AnyUpdate, storedMode: DataMode, policy: PrivacyPolicy): PolicyOutcome {
  let current = update;
  let changed = false;
  if (policy.erased && !policy.erased.empty) {
    const outcome = eraseFromUpdate(current, policy.erased);
    if (outcome.action === 'drop') return { keep: false, reason: 'erased' };
    if (outcome.action === 'redact') {
      current = outcome.update;
      changed = true;
    }
  }
  const mode = stricterMode(storedMode, policy.mode);
  if (mode !== storedMode) {
    current = redactUpdate(current, { mode, pseudonymize: policy.pseudonymize });
    changed = true;
  }
  return { keep: true, update: current, mode, changed };
}
