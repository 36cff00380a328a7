/**
 * The erasure register: who was erased and when, never anything of theirs. In `pseudonymous` mode a
 * person is recorded by their pseudonym (the keyed hash), not their id. The enrichment, `replay` and
 * `import` apply it, so a replay of an old backup or a re-import of an export never brings erased data
 * back. Pure: parse and serialise; adapters keep it (`_privacy/erasure-register.json` in the raw store).
 */
import { createMatcher, type ErasureMatcher } from './erasure';
import type { Pseudonymizer } from './pseudonym';

export const REGISTER_KEY = '_privacy/erasure-register.json';
export const REGISTER_FORMAT = 'tgpipe-erasure-register/1';

export interface RegisterEntry {
  readonly kind: 'user' | 'chat';
  /** The id (users in `full` / `no-text` mode, and chats). */
  readonly id?: number;
  /** The pseudonym (users erased in `pseudonymous` mode). */
  readonly pseudonym?: number;
  /** When the erasure was asked for (ISO time). */
  readonly at: string;
}

export interface ErasureRegister {
  readonly format: string;
  readonly entries: RegisterEntry[];
}

export const emptyRegister = (): ErasureRegister => ({ format: REGISTER_FORMAT, entries: [] });

/** Parses the register; throws on a damaged one (erasure must never be silently forgotten). */
export function parseRegister(text: string | undefined): ErasureRegister {
  if (text === undefined || text.trim() === '') return emptyRegister();
  const value = JSON.parse(text) as ErasureRegister;
  if (!value || value.format !== REGISTER_FORMAT || !Array.isArray(value.entries)) {
    throw new Error(`the erasure register is not a ${REGISTER_FORMAT} document: fix it by hand before anything is enriched or replayed`);
  }
  for (const e of value.entries) {
    const ok = (e.kind === 'user' || e.kind === 'chat') && (Number.isSafeInteger(e.id) || Number.isSafeInteger(e.pseudonym));
    if (!ok) throw new Error(`the erasure register has a bad entry: ${JSON.stringify(e)}`);
  }
  return value;
}

export const serialiseRegister = (register: ErasureRegister): string => `${JSON.stringify(register, null, 1)}\n`;

/** The register with an entry added, unless the same person or chat is already in it (erasing twice adds nothing). */
export function withEntry(register: ErasureRegister, entry: RegisterEntry): { register: ErasureRegister; added: boolean } {
  const same = register.entries.some((e) => e.kind === entry.kind && (e.id ?? e.pseudonym) === (entry.id ?? entry.pseudonym));
  if (same) return { register, added: false };
  return { register: { ...register, entries: [...register.entries, entry] }, added: true };
}

/** The matcher for a register (with the key in `pseudonymous` deployments, so both forms of an id match). */
export function registerMatcher(register: ErasureRegister, pseudonymize?: Pseudonymizer): ErasureMatcher {
  const users = register.entries.filter((e) => e.kind === 'user').map((e) => (e.id ?? e.pseudonym)!);
  const chats = register.entries.filter((e) => e.kind === 'chat').map((e) => e.id!);
  return createMatcher(users, chats, pseudonymize);
}
