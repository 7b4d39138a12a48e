/**
 * udev synchronisation, for lib/index.ts to re-export: the seam the exchange loop drives
 * (createUdevSync → begin/end/cancel/waitSync/wait), the policy that picks its mode, libdm's
 * cookie primitives and flag encoding. The CLI imports the modules directly (to start fast).
 */
export { chooseUdevSync, udevRunning, udevDisabledByEnv, udevInOtherIpcNamespace } from './policy.js';
export type { UdevSyncMode, UdevSyncChoice, UdevSyncRequest } from './policy.js';
export { createUdevSync, OffSync } from './strategy.js';
export { CookieSync, cookieFromEnv, DEFAULT_UDEV_TIMEOUT_MS, releaseCookieTrapped, timeoutWarning } from './sync.js';
export type { CookieSyncOptions, UdevSync, UdevTarget, UdevWaitResult } from './sync.js';
export { MonitorSync, matchesEvent } from './monitor.js';
export type { ExpectedEvent } from './monitor.js';
export { UeventSocket, parseUdevMessage } from './uevent-socket.js';
export {
  attachCookie, completeCookie, createCookie, decrementCookie, destroyCookie, formatCookie, incrementCookie,
  listCookies, releaseCookie,
} from './cookie.js';
export type { CookieListing, CookieSemaphore, WaitOutcome } from './cookie.js';
export { carriesUevent, eventNr, eventNrWithoutCookie, parseCookie, taskUdevFlags, udevFlagLines, udevFlagVariables } from './flags.js';
export type { CookieCommand, CookieFlagOptions } from './flags.js';
export { UdevError } from './errors.js';
