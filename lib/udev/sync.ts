/**
 * The udev transaction around the cookie-carrying ioctls (create, remove, resume, rename), as the
 * exchange loop drives it: `begin` before the ioctl (its result is the `event_nr` to send),
 * `end` after a successful reply, `cancel` after a failed one, then `waitSync` or `wait` once the
 * operation's last ioctl is done. libdm's counterparts: dm_task_set_cookie, _udev_complete,
 * dm_udev_wait. Three strategies share the shape: 'cookie' (here), 'monitor' (monitor.ts), 'off'.
 */
import { DM_UDEV_COOKIE_ENV, DmFlag, SembufLayout } from '../../native-defs/index.js';
import {
  attachCookie,
  createCookie,
  decrementCookie,
  destroyCookie,
  formatCookie,
  incrementCookie,
  releaseCookie,
  timespec,
  withCleanup,
  type CookieSemaphore,
  type WaitOutcome,
} from './cookie.js';
import { UdevError } from './errors.js';
import { milliseconds } from '../arguments/checks.js';
import { eventNr, parseCookie, taskUdevFlags, type CookieCommand, type CookieFlagOptions } from './flags.js';
import { semtimedopOffLoop } from './offload.js';
import { trapTerminationSignals } from './signal-trap.js';
import { guardTermination } from './signals.js';
import { strerror } from '../sys/errno.js';

/** How often a blocking wait looks for a signal that reached another thread. */
const SIGNAL_CHECK_MS = 200;

/** libdm waits forever; we wait this long by default. */
export const DEFAULT_UDEV_TIMEOUT_MS = 30_000;

/** What the caller knows of the device (the monitor matches udev's event with it). */
export interface UdevTarget {
  /** The device's name. */
  name?: string;
  /** The device's major number. */
  major?: number;
  /** The device's minor number. */
  minor?: number;
}

/** How a wait for udev ended. */
export interface UdevWaitResult {
  /**
   * 'completed': udev processed every event. 'removed': the semaphore was removed meanwhile
   * (`udevcomplete_all`), which libdm counts as done. 'timeout': udev did not finish in time
   * (the semaphore is gone; the caller should make or check the node itself). 'interrupted': the
   * abort signal or SIGINT/SIGTERM. 'skipped': nothing to wait for (no event, a joined cookie,
   * mode 'off'). 'failed': a semaphore step failed (`error`; the semaphore is gone).
   */
  outcome: WaitOutcome | 'skipped' | 'failed';
  /** The cookie of the transaction (0 when there was none). */
  cookie: number;
  /** A line for the caller to print (the time-out). */
  warning?: string;
  /** With outcome 'failed': the semaphore step that failed, with libdm's lines. */
  error?: UdevError;
}

/** The seam the exchange loop calls; one object per handle, one transaction at a time. */
export interface UdevSync {
  /** The mode this object implements. */
  readonly mode: 'cookie' | 'monitor' | 'off';
  /** Before a cookie-carrying ioctl: the `event_nr` to send. Throws UdevError (send nothing then). */
  begin(command: CookieCommand, flags: number, target?: UdevTarget): number;
  /** After that ioctl succeeded, with the reply's flags (and device, when known). */
  end(replyFlags: number, reply?: UdevTarget): void;
  /** After that ioctl failed: undoes begin's reference. */
  cancel(): void;
  /** Waits (blocking) for udev to finish the transaction; ends it. */
  waitSync(timeoutMs?: number): UdevWaitResult;
  /** The same off the event loop; SIGINT/SIGTERM and `signal` end it, with nothing left behind. */
  wait(timeoutMs?: number, signal?: AbortSignal): Promise<UdevWaitResult>;
}

/** Options of mode 'cookie' (CookieSync). */
export interface CookieSyncOptions extends CookieFlagOptions {
  /** `--udevcookie C` / DM_UDEV_COOKIE: join that transaction; never wait, never remove it. */
  joinCookie?: number;
}

/** The cookie of DM_UDEV_COOKIE when it is set and valid (dmsetup parses it as `--udevcookie`). */
export function cookieFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const text = env[DM_UDEV_COOKIE_ENV];
  return text ? parseCookie(text) : undefined;
}

/** The time-out line the caller prints before making the node itself. */
export function timeoutWarning(cookie: number, timeoutMs: number): string {
  milliseconds(timeoutMs, 'the time-out');
  return `udev did not complete cookie ${formatCookie(cookie)} in time (${timeoutMs / 1000} s); its semaphore was removed.`;
}

/**
 * releaseCookie (drop our reference, wait for zero, remove) with SIGINT/SIGTERM trapped: a signal
 * removes the semaphore, then takes effect (see signal-trap.ts). Throws UdevError like releaseCookie.
 */
export function releaseCookieTrapped(sem: CookieSemaphore, timeoutMs: number): WaitOutcome {
  const trap = trapTerminationSignals();
  try {
    return releaseCookie(sem, timeoutMs, { sliceMs: SIGNAL_CHECK_MS, interrupted: () => trap.caught() !== undefined });
  } finally {
    trap.release();
  }
}

/** libdm's protocol: one semaphore per transaction, +1 per task, udev's rule takes them back. */
export class CookieSync implements UdevSync {
  /** Always 'cookie'. */
  readonly mode = 'cookie';
  private sem: CookieSemaphore | undefined;
  private pending = false;

  /**
   * Makes no semaphore yet: the first cookie-carrying ioctl of a transaction makes one (unless
   * `joinCookie` is given).
   */
  constructor(private readonly options: CookieSyncOptions = {}) {}

  begin(command: CookieCommand, flags: number): number {
    const udevFlags = taskUdevFlags(command, flags, this.options);
    const created = this.sem === undefined && this.options.joinCookie === undefined;
    this.sem ??= this.options.joinCookie !== undefined ? attachCookie(this.options.joinCookie) : createCookie();
    try {
      incrementCookie(this.sem);
    } catch (error) {
      const ids = `cookie value ${this.sem.cookie} (0x${this.sem.cookie.toString(16)})`;
      let failure = (error as UdevError).withLine(`Could not set notification semaphore identified by ${ids}`);
      // A semaphore made for this task alone would stay behind in libdm; not here.
      if (created) failure = withCleanup(failure, this.sem);
      if (created || this.options.joinCookie !== undefined) this.sem = undefined;
      throw failure;
    }
    this.pending = true;
    return eventNr(udevFlags, this.sem.cookie);
  }

  end(replyFlags: number): void {
    // No uevent, no udevcomplete: take our task's reference back now (libdm's _udev_complete).
    if (!(replyFlags & DmFlag.UEVENT_GENERATED)) this.complete();
    this.pending = false;
  }

  cancel(): void {
    this.complete();
  }

  waitSync(timeoutMs = DEFAULT_UDEV_TIMEOUT_MS): UdevWaitResult {
    const sem = this.finish();
    if (!sem) return { outcome: 'skipped', cookie: this.options.joinCookie ?? 0 };
    try {
      return this.result(sem, releaseCookieTrapped(sem, timeoutMs), timeoutMs);
    } catch (error) {
      return { outcome: 'failed', cookie: sem.cookie, error: error as UdevError };
    }
  }

  async wait(timeoutMs = DEFAULT_UDEV_TIMEOUT_MS, signal?: AbortSignal): Promise<UdevWaitResult> {
    const sem = this.finish();
    if (!sem) return { outcome: 'skipped', cookie: this.options.joinCookie ?? 0 };
    try {
      decrementCookie(sem);
    } catch (error) {
      const line = `Failed to set a proper state for notification semaphore identified by cookie value ${sem.cookie} (0x${sem.cookie.toString(16)}) to initialize waiting for incoming notifications.`;
      return { outcome: 'failed', cookie: sem.cookie, error: withCleanup((error as UdevError).withLine(line), sem) };
    }
    let removed = false;
    const remove = (): void => {
      if (removed) return;
      removed = true;
      try {
        destroyCookie(sem);
      } catch {
        // Already gone (udevcomplete_all): nothing left to clean.
      }
    };
    try {
      const outcome = await guardTermination(remove, (aborted) => waitForZeroOffLoop(sem, timeoutMs, mergeSignals(aborted, signal), remove));
      return this.result(sem, outcome, timeoutMs);
    } catch (error) {
      return { outcome: 'failed', cookie: sem.cookie, error: error as UdevError };
    } finally {
      remove();
    }
  }

  /** The semaphore to wait on, ending the transaction (the next begin makes a new one). */
  private finish(): CookieSemaphore | undefined {
    const sem = this.sem;
    this.sem = undefined;
    this.pending = false;
    // A joined cookie belongs to the caller, who releases it (udevreleasecookie).
    return this.options.joinCookie !== undefined ? undefined : sem;
  }

  private complete(): void {
    if (!this.pending || !this.sem) return;
    this.pending = false;
    decrementCookie(this.sem);
  }

  private result(sem: CookieSemaphore, outcome: WaitOutcome, timeoutMs: number): UdevWaitResult {
    if (outcome === 'timeout') return { outcome, cookie: sem.cookie, warning: timeoutWarning(sem.cookie, timeoutMs) };
    return { outcome, cookie: sem.cookie };
  }
}

/** One AbortSignal for either. */
function mergeSignals(a: AbortSignal, b: AbortSignal | undefined): AbortSignal {
  return b ? AbortSignal.any([a, b]) : a;
}

/**
 * Wait-for-zero off the event loop. An abort removes the semaphore (via `remove`), which wakes
 * the blocked call with EIDRM.
 */
async function waitForZeroOffLoop(sem: CookieSemaphore, timeoutMs: number, aborted: AbortSignal, remove: () => void): Promise<WaitOutcome> {
  const op = Buffer.alloc(SembufLayout.size); // {0, 0, 0}: wait for zero
  const onAbort = (): void => remove();
  aborted.addEventListener('abort', onAbort, { once: true });
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (aborted.aborted) return 'interrupted';
      const remaining = deadline - Date.now();
      if (remaining <= 0) return 'timeout';
      const { result, errno } = await semtimedopOffLoop(sem.semid, op, timespec(remaining));
      if (aborted.aborted) return 'interrupted';
      if (result === 0) return 'completed';
      if (errno === 43) return 'removed'; // EIDRM
      if (errno !== 4 && errno !== 11) {
        throw new UdevError([`Could not set wait state for notification semaphore identified by cookie value ${sem.cookie} (0x${sem.cookie.toString(16)}): ${strerror(errno)}`], errno);
      }
    }
  } finally {
    aborted.removeEventListener('abort', onAbort);
  }
}
