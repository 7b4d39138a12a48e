/**
 * libdevmapper's udev cookies: one System V semaphore per transaction, keyed
 * `DM_COOKIE_MAGIC << 16 | base` (libdm-common.c of libdm 1.02.185: _udev_notify_sem_create,
 * _get_cookie_sem, _udev_notify_sem_inc/_dec/_destroy, dm_udev_complete, _udev_wait). Value 1 is
 * the waiter's own reference, +1 per task that sends the cookie, -1 by udev's `udevcomplete`; the
 * waiter drops its reference and waits for zero. Unlike libdm the wait is bounded (semtimedop).
 *
 * Failures throw UdevError carrying libdm's exact lines.
 */
import { randomBytes } from 'node:crypto';
import { DM_COOKIE_MAGIC, DM_UDEV_FLAGS_SHIFT, IpcFlag, SemCtl, SembufLayout, SemidDsLayout, SEMINFO_SIZE, TimespecLayout } from '../../native-defs/index.js';
import { strerror } from '../sys/errno.js';
import { sysvSem } from '../sys/libc.js';
import { UdevError } from './errors.js';
import { whole } from '../arguments/checks.js';

const EEXIST = 17;
const ENOENT = 2;
const EACCES = 13;
const ENOMEM = 12;
const ENOSPC = 28;
const EAGAIN = 11;
const EINTR = 4;
const EIDRM = 43;

/** An open cookie: its value (key) and the semaphore's id. */
export interface CookieSemaphore {
  /**
   * The cookie value: the semaphore's key, 0x0D4D in its high 16 bits (its low 16 bits go in
   * `event_nr`, beside the udev flags).
   */
  readonly cookie: number;
  /** The SysV semaphore set's id (semget's return value). */
  readonly semid: number;
}

const hex = (value: number): string => value.toString(16);
const ids = (cookie: number): string => `cookie value ${cookie >>> 0} (0x${hex(cookie >>> 0)})`;

/** One semop on semaphore 0 (a reused 6-byte buffer per call is cheap; keep it local for .async safety). */
function sembuf(op: number, flags: number): Buffer {
  const buffer = Buffer.alloc(SembufLayout.size);
  buffer.writeUInt16LE(0, SembufLayout.sem_num);
  buffer.writeInt16LE(op, SembufLayout.sem_op);
  buffer.writeInt16LE(flags, SembufLayout.sem_flg);
  return buffer;
}

/** A struct timespec for `ms` milliseconds. */
export function timespec(ms: number): Buffer {
  const buffer = Buffer.alloc(TimespecLayout.size);
  const whole = Math.max(0, Math.floor(ms));
  buffer.writeBigInt64LE(BigInt(Math.floor(whole / 1000)), TimespecLayout.tv_sec);
  buffer.writeBigInt64LE(BigInt((whole % 1000) * 1_000_000), TimespecLayout.tv_nsec);
  return buffer;
}

/** The semaphore's current value (libdm's GETVAL step); throws with libdm's line. */
export function cookieValue(sem: CookieSemaphore): number {
  const libc = sysvSem();
  const value = libc.semctlValue(sem.semid, 0, SemCtl.GETVAL, 0);
  if (value < 0) {
    const errno = libc.errno();
    throw new UdevError([`semid ${sem.semid}: sem_ctl GETVAL failed for cookie 0x${hex(sem.cookie)}: ${strerror(errno)}`], errno);
  }
  return value;
}

/** A new cookie (`_udev_notify_sem_create`): a random non-zero base, IPC_EXCL, value 1. */
export function createCookie(random: () => number = () => randomBytes(2).readUInt16LE(0)): CookieSemaphore {
  const libc = sysvSem();
  for (;;) {
    const base = random() & 0xffff;
    if (base === 0) continue;
    const cookie = ((DM_COOKIE_MAGIC << DM_UDEV_FLAGS_SHIFT) | base) >>> 0;
    const semid = libc.semget(cookie, 1, 0o600 | IpcFlag.IPC_CREAT | IpcFlag.IPC_EXCL);
    if (semid < 0) {
      const errno = libc.errno();
      if (errno === EEXIST) continue;
      if (errno === ENOMEM) throw new UdevError(['Not enough memory to create notification semaphore'], errno);
      if (errno === ENOSPC) {
        throw new UdevError(['Limit for the maximum number of semaphores reached. You can check and set the limits in /proc/sys/kernel/sem.'], errno);
      }
      throw new UdevError([`Failed to create notification semaphore: ${strerror(errno)}`], errno);
    }
    const sem = { cookie, semid };
    if (libc.semctlValue(semid, 0, SemCtl.SETVAL, 1) < 0) {
      const errno = libc.errno();
      const lines = [`semid ${semid}: semctl failed: ${strerror(errno)}`];
      try {
        destroyCookie(sem);
      } catch (error) {
        lines.push(...(error as UdevError).lines);
      }
      throw new UdevError(lines, errno);
    }
    return sem;
  }
}

/** The semaphore of an existing cookie (`_get_cookie_sem`): the prefix must be the magic. */
export function attachCookie(cookie: number): CookieSemaphore {
  cookie >>>= 0;
  if (cookie >>> DM_UDEV_FLAGS_SHIFT !== DM_COOKIE_MAGIC) {
    throw new UdevError([`Could not continue to access notification semaphore identified by ${ids(cookie)}. Incorrect cookie prefix.`], 22);
  }
  const libc = sysvSem();
  const semid = libc.semget(cookie, 1, 0);
  if (semid >= 0) return { cookie, semid };
  const errno = libc.errno();
  if (errno === ENOENT) throw new UdevError([`Could not find notification semaphore identified by ${ids(cookie)}`], errno);
  // libdm's typo, kept: scripts match these lines.
  if (errno === EACCES) throw new UdevError([`No permission to access notificaton semaphore identified by ${ids(cookie)}`], errno);
  throw new UdevError([`Failed to access notification semaphore identified by ${ids(cookie)}: ${strerror(errno)}`], errno);
}

/** One more task carries the cookie (`_udev_notify_sem_inc`); returns the new value. */
export function incrementCookie(sem: CookieSemaphore): number {
  const libc = sysvSem();
  if (libc.semop(sem.semid, sembuf(1, 0), 1) < 0) {
    const errno = libc.errno();
    throw new UdevError([`semid ${sem.semid}: semop failed for cookie 0x${hex(sem.cookie)}: ${strerror(errno)}`], errno);
  }
  return cookieValue(sem);
}

/** One reference done (`_udev_notify_sem_dec`: GETVAL, then -1 with IPC_NOWAIT); returns the new value. */
export function decrementCookie(sem: CookieSemaphore): number {
  const value = cookieValue(sem);
  const libc = sysvSem();
  if (libc.semop(sem.semid, sembuf(-1, IpcFlag.IPC_NOWAIT), 1) < 0) {
    const errno = libc.errno();
    const why = errno === EAGAIN ? 'incorrect semaphore state' : strerror(errno);
    throw new UdevError([`semid ${sem.semid}: semop failed for cookie 0x${hex(sem.cookie)}: ${why}`], errno);
  }
  return value - 1;
}

/** Removes the semaphore (`_udev_notify_sem_destroy`); waiters wake with EIDRM. */
export function destroyCookie(sem: CookieSemaphore): void {
  const libc = sysvSem();
  if (libc.semctlValue(sem.semid, 0, SemCtl.IPC_RMID, 0) < 0) {
    const errno = libc.errno();
    throw new UdevError([`Could not cleanup notification semaphore identified by ${ids(sem.cookie)}: ${strerror(errno)}`], errno);
  }
}

/** `dm_udev_complete` for a full cookie (magic prefix): drop one reference, as udev's rule does. */
export function completeCookie(cookie: number): void {
  const sem = attachCookie(cookie);
  try {
    decrementCookie(sem);
  } catch (error) {
    throw (error as UdevError).withLine(`Could not signal waiting process using notification semaphore identified by ${ids(sem.cookie)}`);
  }
}

/** How a wait for zero ended. */
export type WaitOutcome = 'completed' | 'removed' | 'timeout' | 'interrupted';

export interface WaitControl {
  /** Longest single semtimedop, so `interrupted` is asked at least this often (default: the whole wait). */
  sliceMs?: number;
  /** Asked after each slice and each EINTR: true ends the wait with 'interrupted'. */
  interrupted?: () => boolean;
}

/**
 * Waits (blocking) until the value is zero, at most `timeoutMs`. 'removed': someone destroyed the
 * semaphore (udevcomplete_all), which libdm counts as success. Other failures throw libdm's line.
 */
export function waitForZero(sem: CookieSemaphore, timeoutMs: number, control: WaitControl = {}): WaitOutcome {
  const libc = sysvSem();
  const op = sembuf(0, 0);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) return 'timeout';
    const slice = Math.min(remaining, control.sliceMs ?? remaining);
    const result = libc.semtimedop(sem.semid, op, 1, timespec(slice));
    if (result === 0) return 'completed';
    const errno = libc.errno();
    if (errno === EIDRM) return 'removed';
    if (errno !== EAGAIN && errno !== EINTR) {
      throw new UdevError([`Could not set wait state for notification semaphore identified by ${ids(sem.cookie)}: ${strerror(errno)}`], errno);
    }
    if (control.interrupted?.()) return 'interrupted';
  }
}

/** One 0x0D4D-keyed semaphore as SEM_STAT reports it. */
export interface CookieListing {
  /** The key: the cookie value. */
  cookie: number;
  /** The SysV semaphore set's id. */
  semid: number;
  /** GETVAL; undefined when that failed (`error` says why, in libdm's line). */
  value: number | undefined;
  /** libdm's line for a GETVAL that failed (then `value` is undefined). */
  error?: string;
  /** Last semop and last change, in seconds since the epoch (0: never). */
  otime: number;
  /** Last change of the set, in seconds since the epoch. */
  ctime: number;
}

/** The highest index SEM_STAT accepts (SEM_INFO's return value); throws libdm's `<op> failed` line. */
export function semaphoreMaxIndex(op = 'semctl'): number {
  const libc = sysvSem();
  const max = libc.semctlBuffer(0, 0, SemCtl.SEM_INFO, Buffer.alloc(SEMINFO_SIZE));
  if (max < 0) {
    const errno = libc.errno();
    throw new UdevError([`SEM_INFO: ${op} failed: ${strerror(errno)}`], errno);
  }
  return max;
}

/** Every semaphore whose key has the 0x0D4D prefix, in index order (dmsetup's udevcookies loop). */
export function listCookies(max = semaphoreMaxIndex()): CookieListing[] {
  const libc = sysvSem();
  const data = Buffer.alloc(SemidDsLayout.size);
  const found: CookieListing[] = [];
  for (let index = 0; index <= max; index++) {
    const semid = libc.semctlBuffer(index, 0, SemCtl.SEM_STAT, data);
    if (semid < 0) continue;
    const cookie = data.readUInt32LE(SemidDsLayout.key);
    if (cookie >>> DM_UDEV_FLAGS_SHIFT !== DM_COOKIE_MAGIC) continue;
    const listing: CookieListing = {
      cookie,
      semid,
      value: undefined,
      otime: Number(data.readBigInt64LE(SemidDsLayout.sem_otime)),
      ctime: Number(data.readBigInt64LE(SemidDsLayout.sem_ctime)),
    };
    try {
      listing.value = cookieValue({ cookie, semid });
    } catch (error) {
      listing.error = `semid ${semid}: sem_ctl failed for cookie 0x${hex(cookie)}: ${strerror((error as UdevError).errno ?? 0)}`;
    }
    found.push(listing);
  }
  return found;
}

/**
 * The waiter's side of a transaction (`dm_udev_wait` / `udevreleasecookie`): drop our reference,
 * wait for zero (bounded), remove the semaphore. On time-out or interruption the semaphore is
 * removed too, so nothing is left behind. Throws libdm's lines when a step fails (after removing it).
 */
export function releaseCookie(sem: CookieSemaphore, timeoutMs: number, control: WaitControl = {}): WaitOutcome {
  try {
    decrementCookie(sem);
  } catch (error) {
    const failure = (error as UdevError).withLine(
      `Failed to set a proper state for notification semaphore identified by ${ids(sem.cookie)} to initialize waiting for incoming notifications.`,
    );
    throw withCleanup(failure, sem);
  }
  let outcome: WaitOutcome;
  try {
    outcome = waitForZero(sem, timeoutMs, control);
  } catch (error) {
    throw withCleanup(error as UdevError, sem);
  }
  if (outcome !== 'removed') destroyCookie(sem);
  return outcome;
}

/** `failure`, after removing the semaphore (and with the removal's own line if that failed too). */
export function withCleanup(failure: UdevError, sem: CookieSemaphore): UdevError {
  try {
    destroyCookie(sem);
    return failure;
  } catch (error) {
    return new UdevError([...failure.lines, ...(error as UdevError).lines], failure.errno ?? 0);
  }
}

/** The cookie as dmsetup prints a created one: `0x%08X`. */
export function formatCookie(cookie: number): string {
  whole(0, 0xffffffff)(cookie, 'the cookie');
  return `0x${(cookie >>> 0).toString(16).toUpperCase().padStart(8, '0')}`;
}
