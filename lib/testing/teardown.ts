/**
 * The scratch kit's device-mapper teardown as a plan of steps, run by a sync driver (remove,
 * sleepSync) or an async one (removeAsync, sleep), so both forms share one order of work. Devices
 * under the prefix go in rounds, since one that holds another must go first and udev or blkid may
 * hold a new one for a moment; a device still busy after that gets a deferred removal, so it goes
 * when its last user closes it, and is reported.
 */
import type { DeviceMapper } from '../device-mapper.js';

/** One thing for a driver to do; the driver sends back the error it got, or undefined. */
export type TeardownStep = { remove: string; deferred: boolean } | { sleep: number };

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

/** The devices whose names start with `prefix`. */
export function devicesUnder(dm: DeviceMapper, prefix: string): string[] {
  return dm
    .list()
    .map((device) => device.name)
    .filter((name) => name.startsWith(prefix));
}

/** Removed by someone else meanwhile: as good as removed. */
const isGone = (error: unknown): boolean => (error as { code?: string } | undefined)?.code === 'ENXIO';

/** Yields the removals (and pauses) that clear `prefix`; returns what is left. */
export function* teardownPlan(dm: DeviceMapper, prefix: string): Generator<TeardownStep, Leftover[], unknown> {
  const lastError = new Map<string, unknown>();
  for (let idle = 0; idle < IDLE_ROUNDS; ) {
    const names = devicesUnder(dm, prefix);
    if (names.length === 0) return [];
    let progress = false;
    for (const name of names) {
      const error = yield { remove: name, deferred: false };
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
  for (const name of devicesUnder(dm, prefix)) {
    const error = yield { remove: name, deferred: true };
    if (error !== undefined && !isGone(error)) deferredError.set(name, error);
  }
  // A deferred removal of a device nobody holds any more removes it at once: only the rest are left.
  return devicesUnder(dm, prefix).map((name) => ({
    name,
    error: lastError.get(name) ?? deferredError.get(name),
    deferred: !deferredError.has(name),
  }));
}
