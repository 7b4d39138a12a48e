/**
 * errno numbers, their names (`EBUSY`) and glibc's message text ("Device or resource busy"), from
 * the static table in native-defs (no libc call: naming an error never loads koffi).
 */
import { ERRNO_ALIASES, ERRNO_TABLE } from '../../native-defs/errno.js';

const namesByNumber = new Map<number, string>();
const messagesByNumber = new Map<number, string>();
const numbersByName = new Map<string, number>(ERRNO_ALIASES);
for (const [number, name, message] of ERRNO_TABLE) {
  namesByNumber.set(number, name);
  messagesByNumber.set(number, message);
  numbersByName.set(name, number);
}

/** The errno number of an errno name (`EBUSY` → 16, aliases too); undefined for a name Linux lacks. */
export function errnoNumber(name: string): number | undefined {
  return numbersByName.get(name);
}

/** The symbolic name of an errno value, e.g. 16 → `EBUSY`; `E<n>` when unknown. */
export function errnoName(errno: number): string {
  return namesByNumber.get(errno) ?? `E${errno}`;
}

/** glibc's strerror text, exactly as dmsetup prints it (glibc's own words for an unknown number too). */
export function strerror(errno: number): string {
  // Not a number at all: glibc's text for a number it does not know (errors.ts imports this file, so no DmError here).
  if (!Number.isInteger(errno)) return `Unknown error ${typeof errno === 'symbol' ? 'symbol' : String(errno)}`;
  if (errno === 0) return 'Success';
  return messagesByNumber.get(errno) ?? `Unknown error ${errno}`;
}

/** The errno of a node:fs error (its `errno` is negative); EIO when it carries none. */
export function errnoOf(error: unknown): number {
  return -((error as NodeJS.ErrnoException | undefined)?.errno ?? -5);
}
