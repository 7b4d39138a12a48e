/**
 * dmsetup's udev commands (dmsetup.c of 1.02.185: _udevflags, _udevcomplete, _udevcreatecookie,
 * _udevreleasecookie, _udevcookies; udevcomplete_all is in udevcomplete-all.ts), with its output,
 * messages and exit codes. They touch the kernel only where dmsetup does (the driver version, when
 * libdm checks udev sync support), and import no more than lib/udev and the control node.
 *
 * --json: `udevflags` prints `{"cookie": "0x…", "flags": ["DM_UDEV_…_FLAG", …]}`; `udevcookies`
 * prints `{"cookies": [{"cookie", "semid", "value", "lastSemopTime", "lastChangeTime"}]}` (times
 * in seconds since the epoch, 0 for never); `udevcomplete` `{"completed": "0x…"}`; `udevcreatecookie`
 * `{"cookie": "0x…"}`; `udevcomplete_all` `{"destroyed": n, "skipped": n, "declined"?: true}`.
 */
import { udevFlagLines, udevFlagVariables } from '../../lib/udev/flags.js';
import type { LightCommandSpec } from '../context.js';
import { cookieArgument } from '../udev-args.js';

/** The semaphore half, loaded only when needed (it loads the FFI). */
const semaphores = (): Promise<typeof import('./udev-cookies.js')> => import('./udev-cookies.js');

export const udevflagsCommand: LightCommandSpec = {
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

export const udevcompleteCommand: LightCommandSpec = {
  name: 'udevcomplete',
  minArgs: 1,
  maxArgs: 1,
  async run(context) {
    const cookie = cookieArgument(context, context.args[0]!);
    if (context.options.json) context.jsonSet('completed', `0x${cookie.toString(16)}`);
    else context.print(`DM_COOKIE_COMPLETED=0x${cookie.toString(16).padEnd(10)}`);
    // A zero base: the cookie only carried flags for the rules; nobody waits on it.
    const base = cookie & 0xffff;
    if (base !== 0) (await semaphores()).completeBase(context, base);
  },
};

export const udevcreatecookieCommand: LightCommandSpec = {
  name: 'udevcreatecookie',
  minArgs: 0,
  maxArgs: 0,
  async run(context) {
    (await semaphores()).createCookieCommand(context);
  },
};

export const udevreleasecookieCommand: LightCommandSpec = {
  name: 'udevreleasecookie',
  minArgs: 0,
  maxArgs: 1,
  async run(context) {
    (await semaphores()).releaseCookieCommand(context);
  },
};

export const udevcookiesCommand: LightCommandSpec = {
  name: 'udevcookies',
  minArgs: 0,
  maxArgs: 0,
  async run(context) {
    (await semaphores()).listCookiesCommand(context);
  },
};
