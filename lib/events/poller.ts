/**
 * Event waits without a blocked thread each. `waitEventAsync` and `events()` register here; one
 * poll thread (./poll-thread.ts) sleeps on the handle's control fd armed with DM_DEV_ARM_POLL,
 * and after each wake-up the poller re-arms first and then looks (DEV_STATUS for each wait, one
 * LIST_DEVICES for the streams), so no event that comes meanwhile is lost. `close()` ends every
 * wait with ECANCELED and stops the thread, so a closed handle never keeps the process alive.
 */
import { byDev, type DeviceId } from '../device/device-id.js';
import { cancelledError, closedHandleError, dmError } from '../errors.js';
import type { NameListEntry } from '../ioctl/codec.js';
import { decodeNameList } from '../ioctl/codec.js';
import { decodeInfo, decodeNothing } from '../ioctl/decoders.js';
import { decodeInfoAndStatus } from '../table/rows.js';
import type { DmIoctl } from '../ioctl/dm-ioctl.js';
import type { StatusQueryResult, TableQueryOptions } from '../options.js';
import { infoSpec, tableQuerySpec, waitSpec } from '../operations/specs.js';
import { DmFlag } from '../../native-defs/index.js';
import { PollThread } from './poll-thread.js';

/**
 * A change seen by `events()`: a device whose event counter moved (`event`: a target's event, a
 * rename), that was suspended or resumed, or that came or went.
 */
export interface DeviceEvent {
  /**
   * What changed: `event` the device's event counter moved; `suspended`/`resumed` its suspend state
   * flipped between two looks; `added`/`removed` it appeared or went.
   */
  kind: 'event' | 'suspended' | 'resumed' | 'added' | 'removed';
  /** The device as last seen: its name, uuid (when known) and number. */
  device: { name: string; uuid?: string | undefined; major: number; minor: number };
  /** The device's event counter (as last seen, for a removed device). */
  eventNr: number;
}

interface Waiter {
  device: DeviceId;
  eventNr: number;
  options: TableQueryOptions;
  resolve: (result: StatusQueryResult) => void;
  reject: (error: unknown) => void;
  detach: () => void;
}

/** What a look records of each device. */
interface Seen {
  entry: NameListEntry;
  suspended: boolean;
}

interface Stream {
  seen: Map<string, Seen>;
  queue: DeviceEvent[];
  wake: (() => void) | undefined;
  ended: boolean;
}

const keyOf = (device: NameListEntry): string => `${device.major}:${device.minor}`;

export class EventPoller {
  private thread: PollThread | undefined;
  private readonly waiters = new Set<Waiter>();
  private readonly streams = new Set<Stream>();
  private polling = false;
  private closed = false;

  constructor(private readonly io: DmIoctl) {}

  /** Resolves once the device's event counter differs from `eventNr`, with its state and status rows. */
  wait(device: DeviceId, eventNr: number, options: TableQueryOptions, signal?: AbortSignal): Promise<StatusQueryResult> {
    waitSpec(device, eventNr, options); // the same checks as the blocking wait, before anything
    if (this.closed) return Promise.reject(closedHandleError());
    if (signal?.aborted) return Promise.reject(cancelledError('The wait'));
    return new Promise<StatusQueryResult>((resolve, reject) => {
      const abort = (): void => {
        this.waiters.delete(waiter);
        reject(cancelledError('The wait'));
      };
      const waiter: Waiter = {
        device,
        eventNr,
        options,
        resolve,
        reject,
        detach: () => signal?.removeEventListener('abort', abort),
      };
      signal?.addEventListener('abort', abort, { once: true });
      this.waiters.add(waiter);
      // While the thread polls, the arm in force covers the new wait: one look at it is enough.
      if (this.polling) this.look(waiter);
      else this.check();
    });
  }

  /** Every change from now on, until `signal` aborts or the handle closes. */
  async *events(signal?: AbortSignal): AsyncGenerator<DeviceEvent, void, undefined> {
    if (this.closed) throw closedHandleError();
    const stream: Stream = { seen: this.lookAll(), queue: [], wake: undefined, ended: false };
    const stop = (): void => this.end(stream);
    signal?.addEventListener('abort', stop, { once: true });
    this.streams.add(stream);
    this.check();
    try {
      for (;;) {
        while (stream.queue.length > 0) yield stream.queue.shift()!;
        if (stream.ended || signal?.aborted) return;
        await new Promise<void>((resolve) => (stream.wake = resolve));
        stream.wake = undefined;
      }
    } finally {
      signal?.removeEventListener('abort', stop);
      this.streams.delete(stream);
    }
  }

  /** Ends every wait (ECANCELED) and stream, and stops the thread. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    // Waits end after the thread has: a caller that awaits one finds nothing of it left.
    void (this.thread?.stop() ?? Promise.resolve()).finally(() => {
      for (const waiter of this.waiters) this.settle(waiter, () => waiter.reject(cancelledError('The wait')));
      for (const stream of this.streams) this.end(stream);
    });
  }

  /** Re-arms, then settles what can be settled, then sleeps in poll(2) if anything still waits. */
  private check(): void {
    if (this.closed) return;
    try {
      this.io.run({ command: 'DEV_ARM_POLL', operation: 'armpoll' }, decodeNothing);
    } catch (error) {
      for (const waiter of this.waiters) this.settle(waiter, () => waiter.reject(error));
      return;
    }
    for (const waiter of this.waiters) this.look(waiter);
    if (this.streams.size > 0) this.compare();
    if ((this.waiters.size > 0 || this.streams.size > 0) && !this.polling) {
      this.polling = true;
      this.thread ??= new PollThread(this.io.fd, (errno) => this.woken(errno));
      this.thread.poll();
    }
  }

  private woken(errno: number): void {
    this.polling = false;
    if (errno !== 0) {
      const error = dmError('ioctl', 'EIO', `poll(2) on the control node failed (errno ${errno})`);
      for (const waiter of this.waiters) this.settle(waiter, () => waiter.reject(error));
    }
    this.check();
  }

  private look(waiter: Waiter): void {
    try {
      const info = this.io.run(infoSpec(waiter.device, {}), decodeInfo);
      if (info.eventNr === waiter.eventNr) return;
      const result = this.io.run(tableQuerySpec(waiter.device, 'status', waiter.options), decodeInfoAndStatus);
      this.settle(waiter, () => waiter.resolve(result));
    } catch (error) {
      this.settle(waiter, () => waiter.reject(error));
    }
  }

  private settle(waiter: Waiter, how: () => void): void {
    this.waiters.delete(waiter);
    waiter.detach();
    how();
  }

  /** Every device with its event counter (one LIST_DEVICES) and whether it is suspended (DEV_STATUS each). */
  private lookAll(): Map<string, Seen> {
    // Names as the handle's callers see them (unmangled).
    const devices = this.io.run({ command: 'LIST_DEVICES', operation: 'names', flags: DmFlag.UUID }, (buffer, header) =>
      this.io.names.entries(decodeNameList(buffer, header)),
    );
    const seen = new Map<string, Seen>();
    for (const entry of devices) {
      try {
        seen.set(keyOf(entry), { entry, suspended: this.io.run(infoSpec(byDev(entry), {}), decodeInfo).suspended });
      } catch {
        // gone meanwhile: the next look says so
      }
    }
    return seen;
  }

  /** One look for every stream: what came, went, was suspended or resumed, or counted an event. */
  private compare(): void {
    let now: Map<string, Seen>;
    try {
      now = this.lookAll();
    } catch {
      return; // the next wake-up looks again
    }
    for (const stream of this.streams) {
      for (const [key, { entry, suspended }] of now) {
        const before = stream.seen.get(key);
        if (!before) stream.queue.push(event('added', entry));
        else if (before.entry.name !== entry.name || before.entry.eventNr !== entry.eventNr) stream.queue.push(event('event', entry));
        if (before && before.suspended !== suspended) stream.queue.push(event(suspended ? 'suspended' : 'resumed', entry));
      }
      for (const [key, { entry }] of stream.seen) if (!now.has(key)) stream.queue.push(event('removed', entry));
      stream.seen = now;
      if (stream.queue.length > 0) stream.wake?.();
    }
  }

  private end(stream: Stream): void {
    stream.ended = true;
    stream.wake?.();
  }
}

function event(kind: DeviceEvent['kind'], device: NameListEntry): DeviceEvent {
  return {
    kind,
    device: { name: device.name, uuid: device.uuid, major: device.major, minor: device.minor },
    eventNr: device.eventNr ?? 0,
  };
}
