/**
 * dmsetup's udev commands (dmsetup.c of 1.02.185: _udevflags, _udevcomplete, _udevcreatecookie,
 * _udevreleasecookie, _udevcookies; udevcomplete_all is in udevcomplete-all.ts), with its output,
 * messages and exit codes. They touch the kernel only where dmsetup does (the driver version, when
 * libdm checks udev sync support), and import no more than lib/udev and the control node.
 *
 * --json: `udevflags` prints `{"cookie": "0x…", "flags": ["DM_UDEV_…_FLAG", …]}`; `udevcookies`
 * prints `{"cookies": [{"cookie", "semid", "value", "lastSemopTime", "lastChangeTime"}]}` (times
 * in seconds since the epoch, 0 for never).
 */
import { DM_COOKIE_MAGIC, DM_UDEV_COOKIE_ENV, DM_UDEV_FLAGS_SHIFT } from '../../native-defs/index.js';
import { attachCookie, completeCookie, createCookie, formatCookie, listCookies, releaseCookie, semaphoreMaxIndex } from '../../lib/udev/cookie.js';
import { UdevError } from '../../lib/udev/errors.js';
import { parseCookie, udevFlagLines, udevFlagVariables } from '../../lib/udev/flags.js';
import { DEFAULT_UDEV_TIMEOUT_MS, timeoutWarning } from '../../lib/udev/sync.js';
import type { CliContext, CommandSpec } from '../context.js';
import { udevSyncActive } from '../udev-support.js';

/** dmsetup's _get_cookie_value: the cookie, or `Incorrect cookie value.` and failure. */
export function cookieArgument(context: CliContext, text: string): number {
  const cookie = parseCookie(text);
  if (cookie === undefined) context.fail('Incorrect cookie value.');
  return cookie;
}

/** Prints libdm's lines of a cookie failure and fails the command. */
function failWith(context: CliContext, error: unknown): never {
  if (error instanceof UdevError) context.fail(...error.lines);
  throw error;
}

/**
 * The transaction cookie of the run (dmsetup's _udev_cookie): a valid --udevcookie, else a valid
 * DM_UDEV_COOKIE (an invalid one is complained about, as _set_up_udev_support does); 0 for none.
 */
export function transactionCookie(context: CliContext): number {
  const option = context.options.udevcookie !== undefined ? parseCookie(context.options.udevcookie) : undefined;
  if (option) return option;
  const env = process.env[DM_UDEV_COOKIE_ENV];
  if (!env) return 0;
  const cookie = parseCookie(env);
  if (cookie === undefined) context.error('Incorrect cookie value.');
  return cookie ?? 0;
}

export const udevflagsCommand: CommandSpec = {
  name: 'udevflags',
  minArgs: 1,
  maxArgs: 1,
  run(context) {
    const cookie = cookieArgument(context, context.args[0]!);
    if (context.options.json) {
      context.jsonSet('cookie', `0x${cookie.toString(16)}`);
      context.jsonSet('flags', udevFlagVariables(cookie));
      return;
    }
    for (const line of udevFlagLines(cookie)) context.print(line);
  },
};

export const udevcompleteCommand: CommandSpec = {
  name: 'udevcomplete',
  minArgs: 1,
  maxArgs: 1,
  run(context) {
    const cookie = cookieArgument(context, context.args[0]!);
    context.print(`DM_COOKIE_COMPLETED=0x${cookie.toString(16).padEnd(10)}`);
    // A zero base: the cookie only carried flags for the rules; nobody waits on it.
    const base = cookie & 0xffff;
    if (base === 0 || !udevSyncActive(context)) return;
    try {
      completeCookie(((DM_COOKIE_MAGIC << DM_UDEV_FLAGS_SHIFT) | base) >>> 0);
    } catch (error) {
      failWith(context, error);
    }
  },
};

export const udevcreatecookieCommand: CommandSpec = {
  name: 'udevcreatecookie',
  minArgs: 0,
  maxArgs: 0,
  run(context) {
    if (!udevSyncActive(context)) return;
    try {
      context.print(formatCookie(createCookie().cookie));
    } catch (error) {
      failWith(context, error);
    }
  },
};

export const udevreleasecookieCommand: CommandSpec = {
  name: 'udevreleasecookie',
  minArgs: 0,
  maxArgs: 1,
  run(context) {
    let cookie = transactionCookie(context);
    if (context.args[0] !== undefined) cookie = cookieArgument(context, context.args[0]);
    if (!cookie) return context.fail('No udev transaction cookie given.');
    if (!udevSyncActive(context)) return;
    try {
      const outcome = releaseCookie(attachCookie(cookie), DEFAULT_UDEV_TIMEOUT_MS);
      if (outcome === 'timeout') context.error(timeoutWarning(cookie, DEFAULT_UDEV_TIMEOUT_MS));
    } catch (error) {
      failWith(context, error);
    }
  },
};

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** ctime(3) without its newline, in local time: `Thu Jan  1 00:00:00 1970`. */
export function ctime(seconds: number): string {
  const date = new Date(seconds * 1000);
  const two = (n: number): string => String(n).padStart(2, '0');
  return (
    `${WEEKDAYS[date.getDay()]} ${MONTHS[date.getMonth()]} ${String(date.getDate()).padStart(2)} ` +
    `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())} ${date.getFullYear()}`
  );
}

export const udevcookiesCommand: CommandSpec = {
  name: 'udevcookies',
  minArgs: 0,
  maxArgs: 0,
  run(context) {
    let max: number;
    try {
      max = semaphoreMaxIndex('sem_ctl');
    } catch (error) {
      failWith(context, error);
    }
    const cookies = listCookies(max);
    if (context.options.json) {
      context.jsonSet('cookies', []);
      for (const entry of cookies) {
        if (entry.error) context.error(entry.error);
        else {
          const { cookie, semid, value, otime, ctime: changed } = entry;
          context.jsonItem('cookies', { cookie: `0x${cookie.toString(16)}`, semid, value, lastSemopTime: otime, lastChangeTime: changed });
        }
      }
      return;
    }
    context.print('Cookie       Semid      Value      Last semop time           Last change time');
    for (const entry of cookies) {
      if (entry.error) {
        context.error(entry.error);
        continue;
      }
      const cookie = `0x${entry.cookie.toString(16).padEnd(10)}`;
      context.print(`${cookie} ${String(entry.semid).padEnd(10)} ${String(entry.value).padEnd(10)} ${ctime(entry.otime)}  ${ctime(entry.ctime)}`);
    }
  },
};
