/**
 * The semaphore side of dmsetup's udev commands (udev.ts loads this module only when a command
 * needs semaphores, so `udevflags` and flags-only `udevcomplete` never load the FFI).
 */
import { DM_COOKIE_MAGIC, DM_UDEV_FLAGS_SHIFT } from '../../native-defs/index.js';
import { attachCookie, completeCookie, createCookie, formatCookie, listCookies, semaphoreMaxIndex } from '../../lib/udev/cookie.js';
import { UdevError } from '../../lib/udev/errors.js';
import { DEFAULT_UDEV_TIMEOUT_MS, releaseCookieTrapped, timeoutWarning } from '../../lib/udev/sync.js';
import type { BaseContext } from '../base-context.js';
import { udevSyncActive } from '../udev-support.js';
import { cookieArgument, transactionCookie } from '../udev-args.js';

/** Prints libdm's lines of a cookie failure and fails the command. */
export function failWith(context: BaseContext, error: unknown): never {
  if (error instanceof UdevError) context.fail(...error.lines);
  throw error;
}

/** udevcomplete's semaphore step for a cookie with a non-zero base. */
export function completeBase(context: BaseContext, base: number): void {
  if (!udevSyncActive(context)) return;
  try {
    completeCookie(((DM_COOKIE_MAGIC << DM_UDEV_FLAGS_SHIFT) | base) >>> 0);
  } catch (error) {
    failWith(context, error);
  }
}

export function createCookieCommand(context: BaseContext): void {
    if (!udevSyncActive(context)) return;
    try {
      const { cookie } = createCookie();
      if (context.options.json) context.jsonSet('cookie', `0x${cookie.toString(16)}`);
      else context.print(formatCookie(cookie));
    } catch (error) {
      failWith(context, error);
    }
}

export function releaseCookieCommand(context: BaseContext): void {
    let cookie = transactionCookie(context);
    if (context.args[0] !== undefined) cookie = cookieArgument(context, context.args[0]);
    if (!cookie) return context.fail('No udev transaction cookie given.');
    if (!udevSyncActive(context)) return;
    try {
      const outcome = releaseCookieTrapped(attachCookie(cookie), DEFAULT_UDEV_TIMEOUT_MS);
      if (outcome === 'timeout') context.error(timeoutWarning(cookie, DEFAULT_UDEV_TIMEOUT_MS));
    } catch (error) {
      failWith(context, error);
    }
}

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

export function listCookiesCommand(context: BaseContext): void {
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
}
