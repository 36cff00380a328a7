/**
 * Privacy (README, Privacy and data protection). For the jobs that write records (replay, import):
 * `loadPolicy(raw, settings)` reads the erasure register from the raw store, then
 * - `applyPolicy(update, storedMode, policy)`: drop (`keep: false`) or the update to store, made as
 *   strict as the deployment's mode with erased people taken out of it;
 * - `applyPolicyToLine(line, policy)`: the same on a raw line (keep / drop / rewrite).
 */
import type { ObjectStore } from '../../ports/object-store';
import type { DataMode } from './data-mode';
import type { PrivacyPolicy } from './policy';
import type { Pseudonymizer } from './pseudonym';
import { readRegister } from './register-store';

export { applyPolicy, type PrivacyPolicy, type PolicyOutcome } from './policy';
export { applyPolicyToLine, type LineOutcome } from './raw-line';
export { redactUpdate } from './redact';
export type { DataMode } from './data-mode';

/** The deployment's policy: its mode and key, and the erasure register as the raw store holds it now. */
export async function loadPolicy(raw: ObjectStore, settings: { mode: DataMode; pseudonymize?: Pseudonymizer } = { mode: 'full' }): Promise<PrivacyPolicy> {
  const register = await readRegister(raw);
  return { mode: settings.mode, pseudonymize: settings.pseudonymize, erased: register.matcher(settings.pseudonymize) };
}
