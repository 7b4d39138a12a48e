/**
 * The udev transaction of a handle, by mode (chosen once, at open(), by policy.ts): 'cookie'
 * (libdm's semaphores, sync.ts), 'monitor' (udevd's events, monitor.ts), or 'off' (flags only:
 * nobody waits; the library or nobody keeps the nodes).
 */
import type { UdevSyncMode } from './policy.js';
import { eventNr, taskUdevFlags, type CookieCommand, type CookieFlagOptions } from './flags.js';
import { MonitorSync } from './monitor.js';
import { CookieSync, type CookieSyncOptions, type UdevSync, type UdevWaitResult } from './sync.js';

/** Mode 'off': the flags libdm sends when udev sync is inactive (no cookie base), and no wait. */
export class OffSync implements UdevSync {
  /** Always 'off'. */
  readonly mode = 'off';

  /** Never waits; `options` only decide the flags sent. */
  constructor(private readonly options: CookieFlagOptions = {}) {}

  begin(command: CookieCommand, flags: number): number {
    return eventNr(taskUdevFlags(command, flags, this.options), 0);
  }

  end(): void {}

  cancel(): void {}

  waitSync(): UdevWaitResult {
    return { outcome: 'skipped', cookie: 0 };
  }

  wait(): Promise<UdevWaitResult> {
    return Promise.resolve(this.waitSync());
  }
}

/** The transaction object for `mode`. A joined cookie (`joinCookie`) only applies to 'cookie'. */
export function createUdevSync(mode: UdevSyncMode, options: CookieSyncOptions = {}): UdevSync {
  if (mode === 'cookie') return new CookieSync(options);
  if (mode === 'monitor') return new MonitorSync(options);
  return new OffSync(options);
}
