/** The erasure register kept in a store (the raw bucket or the data folder's raw/ at `_privacy/`). */
import type { ObjectStore } from '../../ports/object-store';
import { parseRegister, registerMatcher, REGISTER_KEY, serialiseRegister, type ErasureRegister } from './register';
import type { ErasureMatcher } from './erasure';
import type { Pseudonymizer } from './pseudonym';

export interface LoadedRegister {
  readonly register: ErasureRegister;
  matcher(pseudonymize?: Pseudonymizer): ErasureMatcher;
}

/** Reads the register (empty when there is none). A damaged register throws: nothing runs without it. */
export async function readRegister(store: ObjectStore): Promise<LoadedRegister> {
  const bytes = await store.readSmall(REGISTER_KEY);
  const register = parseRegister(bytes?.toString('utf8'));
  return { register, matcher: (pseudonymize) => registerMatcher(register, pseudonymize) };
}

export async function writeRegister(store: ObjectStore, register: ErasureRegister): Promise<void> {
  await store.write(REGISTER_KEY, serialiseRegister(register), 'application/json');
}
