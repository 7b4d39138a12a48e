/**
 * Event waits without a blocked thread each. `waitEventAsync` and `events()` register here; one
 * poll thread (./poll-thread.ts) sleeps on the handle's control fd armed with DM_DEV_ARM_POLL
 * and, while a stream is open, on a kernel uevent socket (./kernel-uevents.ts) too: the global
 * event counter misses resumes of the same table, the uevents do not. After each wake-up the
 * poller re-arms first, reads the queued uevents, and then looks (DEV_STATUS for each wait, one
 * LIST_DEVICES for the streams), so nothing that comes meanwhile is lost. `close()` ends every
 * wait with ECANCELED and stops the thread, so a closed handle never keeps the process alive.
 */
import { byDev } from '../device/address.js';
import type { DeviceId } from '../device/device-id.js';
import { cancelledError, closedHandleError, dmError } from '../errors.js';
import { decodeNameList } from '../ioctl/codec.js';
import { decodeInfo, decodeNothing } from '../ioctl/decoders.js';
import { decodeInfoAndStatus } from '../table/rows.js';
import type { DmIoctl } from '../ioctl/dm-ioctl.js';
import type { StatusQueryResult, TableQueryOptions } from '../options.js';
import { infoSpec, tableQuerySpec, waitSpec } from '../operations/specs.js';
import { DmFlag } from '../../native-defs/index.js';
import { changesBetween, keyOf, type DeviceEvent, type Look } from './compare.js';
import { KernelUevents, type DmUevent } from './kernel-uevents.js';
import { PollThread } from './poll-thread.js';

export type { DeviceEvent } from './compare.js';

interface Waiter {
  device: DeviceId;
  eventNr: number;
  options: TableQueryOptions;
  resolve: (result: StatusQueryResult) => void;
  reject: (error: unknown) => void;
  detach: () => void;
}

interface Stream {
  seen: Look;
  /** The dm uevents heard since `seen` was taken. */
  uevents: DmUevent[];
  queue: DeviceEvent[];
  wake: (() => void) | undefined;
  ended: boolean;
}

export class EventPoller {
  private thread: PollThread | undefined;
  private readonly waiters = new Set<Waiter>();
  private readonly streams = new Set<Stream>();
  /** The fds of the poll under way; undefined while the thread is idle. */
  private polled: readonly number[] | undefined;
  /** The kernel uevent socket, open while a stream is (or until the poll under way gives it back). */
  private uevents: KernelUevents | undefined;
  /** Who waits for the thread to stop polling the uevent socket, so that it can be closed. */
  private readonly released: (() => void)[] = [];
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
      if (this.polled) this.look(waiter);
      else this.check();
    });
  }

  /**
   * Every change from now on, until `signal` aborts or the handle closes. The uevent socket is
   * opened before the first look, so what happens after that look is heard; when it cannot be
   * opened the stream goes on with the control fd alone.
   */
  async *events(signal?: AbortSignal): AsyncGenerator<DeviceEvent, void, undefined> {
    if (this.closed) throw closedHandleError();
    this.hear(); // what is queued now belongs to the streams already open
    this.uevents ??= KernelUevents.open();
    let stream: Stream;
    try {
      stream = { seen: this.lookAll(), uevents: [], queue: [], wake: undefined, ended: false };
    } catch (error) {
      await this.release();
      throw error;
    }
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
      // The last stream closes the socket before it ends: nothing of it outlives the loop.
      await this.release();
    }
  }

  /** Ends every wait (ECANCELED) and stream, and stops the thread. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    // Waits end after the thread has: a caller that awaits one finds nothing of it left.
    void (this.thread?.stop() ?? Promise.resolve()).finally(() => {
      this.closeUevents();
      for (const waiter of this.waiters) this.settle(waiter, () => waiter.reject(cancelledError('The wait')));
      for (const stream of this.streams) this.end(stream);
    });
  }

  /** Re-arms, reads the uevents, settles what can be settled, then sleeps in poll(2) if anything still waits. */
  private check(): void {
    if (this.closed) return;
    try {
      this.io.run({ command: 'DEV_ARM_POLL', operation: 'armpoll' }, decodeNothing);
    } catch (error) {
      for (const waiter of this.waiters) this.settle(waiter, () => waiter.reject(error));
      return;
    }
    this.hear();
    for (const waiter of this.waiters) this.look(waiter);
    if (this.streams.size > 0) this.compare();
    this.sleep();
  }

  /** Hands the thread the fds to poll, unless nothing waits (or it polls them already). */
  private sleep(): void {
    if (this.waiters.size === 0 && this.streams.size === 0) return;
    const fds = this.uevents ? [this.io.fd, this.uevents.fd] : [this.io.fd];
    if (!this.polled) {
      this.polled = fds;
      this.thread ??= new PollThread((errno, ready) => this.woken(errno, ready));
      this.thread.poll(fds);
    } else if (this.polled.length !== fds.length) {
      this.thread!.interrupt(); // a socket came: the next poll takes it in
    }
  }

  private woken(errno: number, ready: number[]): void {
    if (this.closed) return; // close() finishes what is left
    this.polled = undefined;
    if (this.streams.size === 0) this.closeUevents();
    for (const resolve of this.released.splice(0)) resolve(); // a new stream took the socket over
    if (errno !== 0) {
      const error = dmError('ioctl', 'EIO', `poll(2) on the control node failed (errno ${errno})`);
      for (const waiter of this.waiters) this.settle(waiter, () => waiter.reject(error));
    }
    // Only uevents of other devices (a loop device, a module): no look, and no re-arm either, as
    // an arm would swallow an event counted since the poll returned.
    if (errno === 0 && ready.length > 0 && !ready.includes(this.io.fd) && this.hear() === 0) this.sleep();
    else this.check();
  }

  /** Closes the uevent socket once no stream is left, after the poll under way (if any) gave it back. */
  private release(): Promise<void> {
    const socket = this.uevents;
    if (!socket || this.streams.size > 0) return Promise.resolve();
    if (!this.polled?.includes(socket.fd)) {
      this.closeUevents();
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      this.released.push(resolve);
      this.thread!.interrupt();
    });
  }

  private closeUevents(): void {
    this.uevents?.close();
    this.uevents = undefined;
    for (const resolve of this.released.splice(0)) resolve();
  }

  /** Hands the queued dm uevents to every open stream; says how many there were. */
  private hear(): number {
    if (!this.uevents) return 0;
    const heard = this.uevents.drain();
    if (heard.length > 0) for (const stream of this.streams) stream.uevents.push(...heard);
    return heard.length;
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

  /** Every device (one LIST_DEVICES), with its name, event counter and state from its own DEV_STATUS. */
  private lookAll(): Look {
    const devices = this.io.run({ command: 'LIST_DEVICES', operation: 'names', flags: DmFlag.UUID }, decodeNameList);
    const seen: Look = new Map();
    for (const listed of devices) {
      try {
        const info = this.io.run(infoSpec(byDev(listed), {}), decodeInfo);
        const entry = { name: info.name, uuid: info.uuid || undefined, major: listed.major, minor: listed.minor, eventNr: info.eventNr };
        seen.set(keyOf(entry), { entry, suspended: info.suspended });
      } catch {
        // gone meanwhile: the next look says so
      }
    }
    return seen;
  }

  /** One look for every stream: what came, went, was renamed, suspended or resumed, or counted an event. */
  private compare(): void {
    let now: Look;
    try {
      now = this.lookAll();
    } catch {
      return; // the next wake-up looks again (the uevents heard are kept for it)
    }
    for (const stream of this.streams) {
      stream.queue.push(...changesBetween(stream.seen, now, stream.uevents));
      stream.seen = now;
      stream.uevents = [];
      if (stream.queue.length > 0) stream.wake?.();
    }
  }

  private end(stream: Stream): void {
    stream.ended = true;
    stream.wake?.();
  }
}
