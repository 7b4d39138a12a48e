/**
 * Which udev synchronisation a handle uses (libdm's `dm_udev_get_sync_support` and
 * `_check_udev_sync_requirements_once`, plus ours): 'cookie' (libdm's semaphores), 'monitor'
 * (wait for udevd's event on netlink; no semaphore), or 'off' (nobody waits for udev).
 *
 * udev runs when /run/udev/control exists (systemd's libudev test). Cookies cannot work when
 * udevd lives in another IPC namespace (its semaphores are not ours): where udevd's
 * /proc/<pid>/ns/ipc is visible and differs from ours, 'cookie' becomes 'monitor' with one warning.
 */
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { SemCtl, SEMINFO_SIZE, UDEV_CONTROL_PATH } from '../../native-defs/index.js';
import { sysvSem } from '../sys/libc.js';

/**
 * How a handle waits for udev: `cookie` libdm's semaphores, `monitor` udev's netlink events, `off`
 * not at all.
 */
export type UdevSyncMode = 'cookie' | 'monitor' | 'off';

/** Where to look; tests point these elsewhere. */
export interface UdevHost {
  env?: NodeJS.ProcessEnv;
  controlPath?: string;
  proc?: string;
}

/** libdm's warning when DM_DISABLE_UDEV is set while udev runs. */
export const DISABLED_WHILE_RUNNING =
  'Udev is running and DM_DISABLE_UDEV environment variable is set. Bypassing udev, device-mapper library will manage device nodes in device directory.';
/** libdm's warning when the kernel has no System V IPC. */
export const NO_SEMAPHORES = 'Kernel not configured for semaphores (System V IPC). Not using udev synchronisation code.';

/** udev is running: its control socket exists. */
export function udevRunning(host: UdevHost = {}): boolean {
  return existsSync(host.controlPath ?? UDEV_CONTROL_PATH);
}

/** DM_DISABLE_UDEV is set (to anything, even empty: libdm tests getenv() for NULL). */
export function udevDisabledByEnv(host: UdevHost = {}): boolean {
  return (host.env ?? process.env)['DM_DISABLE_UDEV'] !== undefined;
}

/** The kernel has System V semaphores (`semctl(0, 0, SEM_INFO)` works). */
export function semaphoresSupported(): boolean {
  return sysvSem().semctlBuffer(0, 0, SemCtl.SEM_INFO, Buffer.alloc(SEMINFO_SIZE)) >= 0;
}

/** The pid of a visible systemd-udevd, if any (scans /proc/<pid>/comm). */
export function findUdevd(host: UdevHost = {}): number | undefined {
  const proc = host.proc ?? '/proc';
  let entries: string[];
  try {
    entries = readdirSync(proc);
  } catch {
    return undefined;
  }
  for (const entry of entries) {
    if (!/^[0-9]+$/.test(entry)) continue;
    try {
      const comm = readFileSync(`${proc}/${entry}/comm`, 'utf8').trim();
      if (comm === 'systemd-udevd' || comm === 'udevd') return Number(entry);
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return undefined;
}

/**
 * True when udevd's IPC namespace is visible and is not ours: a cookie semaphore we make is then
 * invisible to its `dmsetup udevcomplete`, and a libdm-style wait would never end.
 */
export function udevInOtherIpcNamespace(host: UdevHost = {}): boolean {
  const proc = host.proc ?? '/proc';
  const pid = findUdevd(host);
  if (pid === undefined) return false;
  try {
    return readlinkSync(`${proc}/${pid}/ns/ipc`) !== readlinkSync(`${proc}/self/ns/ipc`);
  } catch {
    return false; // not visible (another user's process): nothing to tell
  }
}

/** What `chooseUdevSync()` decided for a handle, and why. */
export interface UdevSyncChoice {
  /** The mode the handle uses (may differ from the one asked for, e.g. `monitor` for `cookie`). */
  mode: UdevSyncMode;
  /** Lines to print once (libdm's warnings, or why 'cookie' became 'monitor'). */
  warnings: string[];
  /** udev runs (so nodes are udev's business unless mode is 'off' by DM_DISABLE_UDEV). */
  udevRunning: boolean;
  /** DM_DISABLE_UDEV is set: the library makes nodes, the flags say so to udev. */
  udevDisabled: boolean;
}

/**
 * What `chooseUdevSync()` decides from: the mode asked for, the driver, and the host (UdevHost:
 * the environment, udev's control socket, /proc).
 */
export interface UdevSyncRequest extends UdevHost {
  /** What the caller asked for (default 'cookie'); 'off' is --noudevsync. */
  requested?: UdevSyncMode;
  /** The driver's interface supports cookies (4.15+); the caller knows it from DM_VERSION. */
  cookieSupported?: boolean;
}

/** Decides the mode once per handle, in libdm's order of checks. */
export function chooseUdevSync(request: UdevSyncRequest = {}): UdevSyncChoice {
  const warnings: string[] = [];
  const disabled = udevDisabledByEnv(request);
  const running = udevRunning(request);
  const requested = request.requested ?? 'cookie';
  const choice = (mode: UdevSyncMode): UdevSyncChoice => ({ mode, warnings, udevRunning: running, udevDisabled: disabled });
  if (disabled && running) warnings.push(DISABLED_WHILE_RUNNING);
  if (disabled || !running || requested === 'off' || request.cookieSupported === false) return choice('off');
  if (requested === 'monitor') return choice('monitor');
  if (!semaphoresSupported()) {
    warnings.push(NO_SEMAPHORES);
    return choice('monitor');
  }
  if (udevInOtherIpcNamespace(request)) {
    warnings.push('udev runs in another IPC namespace, where our cookie semaphores cannot be seen: waiting for its events instead (udev sync mode "monitor").');
    return choice('monitor');
  }
  return choice('cookie');
}
