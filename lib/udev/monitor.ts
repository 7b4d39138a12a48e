/**
 * Monitor mode: the udev transaction without a semaphore. `begin` opens a socket on udevd's
 * event group (before the ioctl, so no event can be missed) and sends a flags-only cookie;
 * `end` notes which event the reply promises; `wait` reads udevd's processed events until each
 * promised one (same ACTION, DM_COOKIE and device) was seen, or the time is up. Nothing to clean
 * up if we are killed: the socket goes with the process.
 *
 * The cookie's base stays 0, so udev's `dmsetup udevcomplete` (95-dm-notify.rules) finds a
 * flags-only cookie and does nothing, rather than touching some other waiter's semaphore.
 */
import { DmFlag } from '../../native-defs/index.js';
import { invalidArgument } from '../errors.js';
import { formatCookie } from './cookie.js';
import { UdevError } from './errors.js';
import { eventNr, taskUdevFlags, type CookieCommand, type CookieFlagOptions } from './flags.js';
import { DEFAULT_UDEV_TIMEOUT_MS, type UdevSync, type UdevTarget, type UdevWaitResult } from './sync.js';
import { UeventSocket } from './uevent-socket.js';

/** One event udevd owes us. */
export interface ExpectedEvent {
  /** The uevent's ACTION: `change` for a resume or a rename, `remove` for a remove. */
  action: 'change' | 'remove';
  /** The DM_COOKIE value sent (decimal in the event). */
  cookie: number;
  /** The device the event is about, to match udev's processed event with. */
  target: UdevTarget;
}

/** Whether udevd's event `properties` is the `expected` one. */
export function matchesEvent(properties: ReadonlyMap<string, string>, expected: ExpectedEvent): boolean {
  if (!(properties instanceof Map)) throw invalidArgument('matchesEvent() needs the event\'s properties as a Map');
  if (typeof expected !== 'object' || expected === null || typeof expected.target !== 'object' || expected.target === null) {
    throw invalidArgument('matchesEvent() needs the expected event: { action, cookie, target }');
  }
  if (properties.get('ACTION') !== expected.action) return false;
  if (properties.get('DM_COOKIE') !== String(expected.cookie)) return false;
  const { major, minor, name } = expected.target;
  if (major !== undefined && minor !== undefined) {
    return properties.get('MAJOR') === String(major) && properties.get('MINOR') === String(minor);
  }
  if (name !== undefined) return properties.get('DM_NAME') === name;
  return true;
}

/** How often an asynchronous wait looks at its abort signal. */
const ASYNC_SLICE_MS = 250;

/**
 * Mode 'monitor': waits for udev's processed uevents on netlink (udev's monitor group), matched by
 * DM_COOKIE, without any semaphore. Chosen where udev runs in another IPC namespace, so a cookie
 * semaphore would never be seen by its rules.
 */
export class MonitorSync implements UdevSync {
  /** Always 'monitor'. */
  readonly mode = 'monitor';
  private socket: UeventSocket | undefined;
  private current: { command: CookieCommand; cookie: number; target: UdevTarget } | undefined;
  private expected: ExpectedEvent[] = [];

  /** Opens no socket yet: the netlink socket is opened by the first transaction. */
  constructor(private readonly options: CookieFlagOptions = {}) {}

  begin(command: CookieCommand, flags: number, target: UdevTarget = {}): number {
    this.socket ??= new UeventSocket();
    const cookie = eventNr(taskUdevFlags(command, flags, this.options), 0);
    this.current = { command, cookie, target };
    return cookie;
  }

  end(replyFlags: number, reply: UdevTarget = {}): void {
    const task = this.current;
    this.current = undefined;
    if (!task || !(replyFlags & DmFlag.UEVENT_GENERATED)) return;
    const target = { ...task.target, ...definedOnly(reply) };
    this.expected.push({ action: task.command === 'remove' ? 'remove' : 'change', cookie: task.cookie, target });
  }

  cancel(): void {
    this.current = undefined;
  }

  waitSync(timeoutMs = DEFAULT_UDEV_TIMEOUT_MS): UdevWaitResult {
    const owed = this.finish();
    if (!owed) return { outcome: 'skipped', cookie: 0 };
    const { socket, expected } = owed;
    const cookie = expected[0]!.cookie;
    try {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        this.consume(socket, expected);
        if (expected.length === 0) return { outcome: 'completed', cookie };
        const remaining = deadline - Date.now();
        if (remaining <= 0) return this.timedOut(cookie, timeoutMs);
        socket.waitReadable(remaining);
      }
    } catch (error) {
      return { outcome: 'failed', cookie, error: error as UdevError };
    } finally {
      socket.close();
    }
  }

  async wait(timeoutMs = DEFAULT_UDEV_TIMEOUT_MS, signal?: AbortSignal): Promise<UdevWaitResult> {
    const owed = this.finish();
    if (!owed) return { outcome: 'skipped', cookie: 0 };
    const { socket, expected } = owed;
    const cookie = expected[0]!.cookie;
    try {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        this.consume(socket, expected);
        if (expected.length === 0) return { outcome: 'completed', cookie };
        if (signal?.aborted) return { outcome: 'interrupted', cookie };
        const remaining = deadline - Date.now();
        if (remaining <= 0) return this.timedOut(cookie, timeoutMs);
        await socket.waitReadableOffLoop(Math.min(remaining, ASYNC_SLICE_MS));
      }
    } catch (error) {
      return { outcome: 'failed', cookie, error: error as UdevError };
    } finally {
      socket.close();
    }
  }

  /** Ends the transaction: the socket and what is owed, or undefined when nothing is (socket closed). */
  private finish(): { socket: UeventSocket; expected: ExpectedEvent[] } | undefined {
    const { socket, expected } = this;
    this.socket = undefined;
    this.expected = [];
    this.current = undefined;
    if (socket && expected.length > 0) return { socket, expected };
    socket?.close();
    return undefined;
  }

  /** Reads every queued message, striking off the events seen. */
  private consume(socket: UeventSocket, expected: ExpectedEvent[]): void {
    for (let properties = socket.receive(); properties; properties = socket.receive()) {
      const at = expected.findIndex((event) => matchesEvent(properties!, event));
      if (at >= 0) expected.splice(at, 1);
    }
  }

  private timedOut(cookie: number, timeoutMs: number): UdevWaitResult {
    return { outcome: 'timeout', cookie, warning: `udev did not process the event of cookie ${formatCookie(cookie)} in time (${timeoutMs / 1000} s).` };
  }
}

function definedOnly(target: UdevTarget): UdevTarget {
  return Object.fromEntries(Object.entries(target).filter(([, value]) => value !== undefined)) as UdevTarget;
}
