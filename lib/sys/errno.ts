/** errno numbers, their names (`EBUSY`) and glibc's message text ("Device or resource busy"). */
import { constants } from 'node:os';
import { libc } from './libc.js';
import { invalidArgument } from '../errors.js';

const namesByNumber = new Map<number, string>();
for (const [name, value] of Object.entries(constants.errno)) {
  // Several names share a number (EAGAIN/EWOULDBLOCK, EDEADLK/EDEADLOCK): keep the first, canonical one.
  if (!namesByNumber.has(value)) namesByNumber.set(value, name);
}

/** The symbolic name of an errno value, e.g. 16 → `EBUSY`; `E<n>` when unknown. */
export function errnoName(errno: number): string {
  return namesByNumber.get(errno) ?? `E${errno}`;
}

/** glibc's strerror text, exactly as dmsetup prints it. */
export function strerror(errno: number): string {
  if (!Number.isInteger(errno)) throw invalidArgument(`strerror needs an errno number, not ${typeof errno === 'symbol' ? 'a symbol' : String(errno)}`);
  return libc().strerror(errno);
}

/** The errno of a node:fs error (its `errno` is negative); EIO when it carries none. */
export function errnoOf(error: unknown): number {
  return -((error as NodeJS.ErrnoException | undefined)?.errno ?? -5);
}
