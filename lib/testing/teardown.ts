/**
 * The scratch kit's device-mapper teardown as a plan of steps, run by a sync driver (remove,
 * sleepSync) or an async one (removeAsync, sleep), so both forms share one order of work. Devices
 * under the prefix go in rounds, since one that holds another must go first and udev or blkid may
 * hold a new one for a moment; a device still busy after that gets a deferred removal, so it goes
 * when its last user closes it, and is reported.
 */
import type { DeviceMapper } from '../device-mapper.js';
import type { DevNumber } from '../device/device-id.js';

/**
 * One thing for a driver to do; the driver sends back the error it got, or undefined. A removal
 * names the device and, when the list gave it, its number: removing by number also reaches a
 * device whose name cannot be addressed (a kernel name `a\x2fb` reads back as `a/b`).
 */
export type TeardownStep = { remove: string; dev?: DevNumber | undefined; deferred: boolean } | { sleep: number };

/** A device the plan could not remove now. */
export interface Leftover {
  name: string;
  /** The last error removing it. */
  error: unknown;
  /** A deferred removal is scheduled: it goes once its last opener closes it. */
  deferred: boolean;
}

/** Rounds in which nothing could be removed before giving up, with PAUSE_MS between them (~1 s). */
const IDLE_ROUNDS = 40;
const PAUSE_MS = 25;

/** The devices whose names start with `prefix`, by name, with their numbers when the list has them. */
export function devicesUnder(dm: DeviceMapper, prefix: string, numbers?: Map<string, DevNumber>): string[] {
  const devices = dm.list().filter((device) => device.name.startsWith(prefix));
  for (const { name, major, minor } of devices) if (major !== undefined && minor !== undefined) numbers?.set(name, { major, minor });
  return devices.map((device) => device.name);
}

/** Removed by someone else meanwhile: as good as removed. */
const isGone = (error: unknown): boolean => (error as { code?: string } | undefined)?.code === 'ENXIO';

/** Yields the removals (and pauses) that clear `prefix`; returns what is left. */
export function* teardownPlan(dm: DeviceMapper, prefix: string): Generator<TeardownStep, Leftover[], unknown> {
  const lastError = new Map<string, unknown>();
  const numbers = new Map<string, DevNumber>();
  for (let idle = 0; idle < IDLE_ROUNDS; ) {
    const names = devicesUnder(dm, prefix, numbers);
    if (names.length === 0) return [];
    let progress = false;
    for (const name of names) {
      const error = yield { remove: name, dev: numbers.get(name), deferred: false };
      if (error === undefined || isGone(error)) progress = true;
      else lastError.set(name, error);
    }
    if (progress) {
      idle = 0;
    } else {
      idle++;
      yield { sleep: PAUSE_MS };
    }
  }
  const deferredError = new Map<string, unknown>();
  for (const name of devicesUnder(dm, prefix, numbers)) {
    const error = yield { remove: name, dev: numbers.get(name), deferred: true };
    if (error !== undefined && !isGone(error)) deferredError.set(name, error);
  }
  // A deferred removal of a device nobody holds any more removes it at once: only the rest are left.
  return devicesUnder(dm, prefix).map((name) => ({
    name,
    error: lastError.get(name) ?? deferredError.get(name),
    deferred: !deferredError.has(name),
  }));
}
