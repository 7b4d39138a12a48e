/** Cookie arguments as dmsetup reads them: the command's argument, --udevcookie, DM_UDEV_COOKIE. */
import { DM_UDEV_COOKIE_ENV } from '../native-defs/udev.js';
import { parseCookie } from '../lib/udev/flags.js';
import type { BaseContext } from './base-context.js';

/** dmsetup's _get_cookie_value: the cookie, or `Incorrect cookie value.` and failure. */
export function cookieArgument(context: BaseContext, text: string): number {
  const cookie = parseCookie(text);
  if (cookie === undefined) context.fail('Incorrect cookie value.');
  return cookie;
}

/**
 * The transaction cookie of the run (dmsetup's _udev_cookie): a valid --udevcookie, else a valid
 * DM_UDEV_COOKIE (an invalid one is complained about, as _set_up_udev_support does); 0 for none.
 */
export function transactionCookie(context: BaseContext): number {
  const option = context.options.udevcookie !== undefined ? parseCookie(context.options.udevcookie) : undefined;
  if (option) return option;
  const env = process.env[DM_UDEV_COOKIE_ENV];
  if (!env) return 0;
  const cookie = parseCookie(env);
  if (cookie === undefined) context.error('Incorrect cookie value.');
  return cookie ?? 0;
}

