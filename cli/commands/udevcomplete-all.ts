/**
 * `udevcomplete_all [<age_in_minutes>]` (dmsetup.c's _udevcomplete_all and _yes_no_prompt):
 * removes every semaphore keyed with the 0x0D4D prefix whose last change and last semop are both
 * older than the age, after a y/n prompt unless -y. Waiters wake as if completed (EIDRM).
 */
import { readSync } from 'node:fs';
import { DM_COOKIE_MAGIC, SemCtl } from '../../native-defs/index.js';
import { listCookies, semaphoreMaxIndex } from '../../lib/udev/cookie.js';
import { UdevError } from '../../lib/udev/errors.js';
import { sysvSem } from '../../lib/sys/libc.js';
import type { BaseContext } from '../base-context.js';
import type { LightCommandSpec } from '../context.js';

const PREFIX = `${DM_COOKIE_MAGIC} (0x${DM_COOKIE_MAGIC.toString(16)})`;

/** sscanf(text, "%u"): white space, an optional sign, digits (wrapping modulo 2^32); undefined when none. */
export function scanUnsigned(text: string): number | undefined {
  const match = /^[ \t\n\v\f\r]*([+-]?)([0-9]+)/.exec(text);
  if (!match) return undefined;
  const magnitude = BigInt(match[2]!);
  // Out of range reads as ULONG_MAX truncated to 32 bits; a minus negates modulo 2^32.
  const value = magnitude > (1n << 64n) - 1n ? 0xffffffffn : BigInt.asUintN(32, match[1] === '-' ? -magnitude : magnitude);
  return Number(value);
}

/** One byte of stdin, undefined at end of file (getchar). */
function getchar(): number | undefined {
  const byte = Buffer.alloc(1);
  for (;;) {
    try {
      return readSync(0, byte, 0, 1, null) === 1 ? byte[0]! : undefined;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
        continue;
      }
      if (code === 'EOF' || code === 'EBADF') return undefined;
      throw error;
    }
  }
}

/** dmsetup's _yes_no_prompt: asks again after each line without y or n; end of input is n. */
export function yesNoPrompt(context: BaseContext, prompt: string, read: () => number | undefined = getchar): 'y' | 'n' {
  let c: number | undefined = 0;
  let answer: 'y' | 'n' | undefined;
  const NEWLINE = 10;
  do {
    if (c === NEWLINE || c === 0) context.stdout.write(prompt);
    c = read();
    if (c === undefined) {
      answer = 'n';
      break;
    }
    const lower = String.fromCharCode(c).toLowerCase();
    if (lower === 'y' || lower === 'n') answer = lower;
  } while (!answer || c !== NEWLINE);
  if (c !== NEWLINE) context.stdout.write('\n');
  return answer;
}

export const udevcompleteAllCommand: LightCommandSpec = {
  name: 'udevcomplete_all',
  minArgs: 0,
  maxArgs: 1,
  run(context) {
    let age = 0;
    if (context.args.length === 1) {
      const scanned = scanUnsigned(context.args[0]!);
      if (scanned === undefined) return context.fail('Failed to read age_in_minutes parameter.');
      age = scanned;
    }
    if (!context.options.yes) {
      const older = age ? `older than ${age | 0} minutes ` : '';
      context.error(`WARNING: This operation will destroy all semaphores ${older}with keys that have a prefix ${PREFIX}.`);
      if (yesNoPrompt(context, 'Do you really want to continue? [y/n]: ') === 'n') {
        if (context.options.json) Object.assign((context.json ??= {}), { destroyed: 0, skipped: 0, declined: true });
        else context.print(`Semaphores with keys prefixed by ${PREFIX} NOT destroyed.`);
        return;
      }
    }
    let max: number;
    try {
      max = semaphoreMaxIndex('semctl');
    } catch (error) {
      if (error instanceof UdevError) context.fail(...error.lines);
      throw error;
    }
    // unsigned int arithmetic, as in C.
    const ageSeconds = (age * 60) % 2 ** 32;
    let destroyed = 0;
    let skipped = 0;
    const libc = sysvSem();
    for (const entry of listCookies(max)) {
      const now = Math.floor(Date.now() / 1000);
      if (entry.ctime + ageSeconds > now || entry.otime + ageSeconds > now) {
        skipped++;
        continue;
      }
      if (libc.semctlValue(entry.semid, 0, SemCtl.IPC_RMID, 0) < 0) {
        context.error(`Could not cleanup notification semaphore with semid ${entry.semid} and cookie value ${entry.cookie} (0x${entry.cookie.toString(16)}).`);
        continue;
      }
      destroyed++;
    }
    if (context.options.json) Object.assign((context.json ??= {}), { destroyed, skipped });
    else context.print(`${destroyed} semaphores with keys prefixed by ${PREFIX} destroyed. ${skipped} skipped.`);
  },
};
