/**
 * Finding, making and opening /dev/mapper/control, whatever state the system is in.
 *
 * User space and the kernel agree on device-mapper only through a module name and a device node:
 * 1. /proc/misc gives the control node's minor (when dm-mod is loaded), /proc/devices the misc major;
 * 2. a node of the right type and number is used as it is; a wrong one (regular file, other minor,
 *    block node, symlink to a wrong node) is replaced; a directory, or a symlink that leads outside
 *    the device directory, is refused;
 * 3. with dm-mod not loaded, the node is made as c 10:236 (the devname alias): opening it makes the
 *    kernel load dm-mod; if that fails, `modprobe dm-mod` is run, /proc/misc read again, the node
 *    fixed if its minor moved, and opened again;
 * 4. if all fails: one error that says what was tried and what to do, and nothing left behind.
 */
import {
  chmodSync,
  closeSync,
  constants,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  realpathSync,
  rmdirSync,
  statSync,
  unlinkSync,
  type Stats,
} from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { DM_CONTROL_NODE, DM_DIR, FileType, MiscDevice } from '../../native-defs/index.js';
import { glibcMakedev, glibcSplitDev, type DevNumber } from '../device/devt.js';
import { DmError, dmError, invalidArgument } from '../errors.js';
import { errnoName, errnoOf, strerror } from '../sys/errno.js';
import { libc } from '../sys/libc.js';
import { findModprobe, runModprobe } from './modprobe.js';

/**
 * Where the control node is and how dm-mod is loaded when it is missing (`DeviceMapper.open()` and
 * `openControl()`).
 */
export interface ControlOptions {
  /** The device directory (dmsetup's DM_DEV_DIR); default `$DM_DEV_DIR` or `/dev`. */
  devDir?: string | undefined;
  /**
   * The modprobe to run when the kernel does not load dm-mod by itself: a path, or false for none.
   * Default: `modprobe` on PATH, else /sbin/modprobe.
   */
  modprobe?: string | false | undefined;
}

/**
 * The device directory: the option, else DM_DEV_DIR, else /dev. A relative one is refused (as
 * libdm and dmsetup refuse a relative DM_DEV_DIR): it would make `mapper/control` under the cwd.
 */
export function resolveDevDir(devDir?: string): string {
  const dir = devDir ?? (process.env['DM_DEV_DIR'] || '/dev');
  if (typeof dir !== 'string' || !dir.startsWith('/')) {
    throw dmError('invalid-argument', 'EINVAL', `The device directory ${JSON.stringify(dir)} must be an absolute path`);
  }
  return dir;
}

/** The control node's path: `<devDir>/mapper/control` (devDir: the argument, else $DM_DEV_DIR, else /dev). */
export function controlPath(devDir?: string): string {
  return join(resolveDevDir(devDir), DM_DIR, DM_CONTROL_NODE);
}

/** The device-mapper minor in /proc/misc (`236 device-mapper`), or undefined when dm-mod is not loaded. */
export function readMiscMinor(procMisc = '/proc/misc'): number | undefined {
  const match = /^\s*(\d+)\s+device-mapper\s*$/m.exec(readFileSync(procMisc, 'utf8'));
  return match ? Number(match[1]) : undefined;
}

/** The misc character major in /proc/devices (10 on every Linux, read rather than assumed). */
export function readMiscMajor(procDevices = '/proc/devices'): number {
  const text = readFileSync(procDevices, 'utf8');
  const characterSection = text.split(/^Block devices:/m)[0] ?? '';
  const match = /^\s*(\d+)\s+misc\s*$/m.exec(characterSection);
  return match ? Number(match[1]) : MiscDevice.MISC_MAJOR;
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function isInside(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}

function isCharNode(stats: Stats, dev: DevNumber): boolean {
  if ((stats.mode & FileType.S_IFMT) !== FileType.S_IFCHR) return false;
  const actual = glibcSplitDev(stats.rdev);
  return actual.major === dev.major && actual.minor === dev.minor;
}

/** What we found at the control path, and did about it. */
type ExistingNode = 'usable' | 'absent';

/**
 * Checks the node at `path`. A right node is usable; a wrong one is removed (so it reads as absent);
 * a directory or a symlink out of the device directory is refused.
 */
function inspectExisting(path: string, devDir: string, wanted: DevNumber): ExistingNode {
  const dir = lstatOrUndefined(dirname(path));
  if (dir && !dir.isDirectory()) {
    throw controlError(`${dirname(path)} is not a directory (or is a symbolic link); refusing to use it`, 'ENOTDIR');
  }
  const stats = lstatOrUndefined(path);
  if (!stats) return 'absent';
  if (stats.isDirectory()) {
    throw controlError(`${path} is a directory; refusing to use or remove it`, 'EISDIR');
  }
  if (stats.isSymbolicLink()) {
    let target: string;
    try {
      target = realpathSync(path);
    } catch {
      target = ''; // dangling: replace the link
    }
    if (target && !isInside(target, realpathSync(devDir))) {
      throw controlError(
        `${path} is a symbolic link to ${target}, outside ${devDir}; refusing to follow or replace it`,
        'ELOOP',
      );
    }
    if (target && isCharNode(statSync(target), wanted)) return 'usable';
  } else if (isCharNode(stats, wanted)) {
    return 'usable';
  }
  // A regular file, a block node, a char node with another number, or a link to one: replace it.
  unlinkSync(path);
  return 'absent';
}

function controlError(message: string, code: string): DmError {
  return dmError('no-driver', code, message);
}

/** Records what was made, so a failure can take it back. */
interface Made {
  dir?: string;
  node?: string;
}

function makeNode(path: string, dev: DevNumber, made: Made): void {
  const dir = dirname(path);
  if (!lstatOrUndefined(dir)) {
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    made.dir = dir;
  } else if (!lstatSync(dir).isDirectory()) {
    throw controlError(`${dir} is not a directory; cannot make the control node in it`, 'ENOTDIR');
  }
  if (libc().mknod(path, FileType.S_IFCHR | 0o600, glibcMakedev(dev)) !== 0) {
    const errno = libc().errno();
    throw controlError(`${path}: mknod failed: ${strerror(errno)}`, errnoName(errno));
  }
  made.node = path;
  chmodSync(path, 0o600); // whatever the umask: only root may talk to the driver
}

function takeBack(made: Made): void {
  for (const undo of [() => made.node && unlinkSync(made.node), () => made.dir && rmdirSync(made.dir)]) {
    try {
      undo();
    } catch {
      // best effort: a node already gone, or a directory someone else filled meanwhile, stays as it is
    }
  }
}

type OpenResult = { fd: number } | { errno: number };

function tryOpen(path: string): OpenResult {
  try {
    return { fd: openSync(path, constants.O_RDWR) };
  } catch (error) {
    return { errno: errnoOf(error) };
  }
}

/** The driver is absent (rather than, say, permission denied). */
const driverMissing = (errno: number): boolean => errno === 19 /* ENODEV */ || errno === 6 /* ENXIO */;

/**
 * Opens /dev/mapper/control read-write and returns the fd, making or fixing the node and loading
 * dm-mod as needed (see the file comment). Throws a DmError of kind `no-driver` naming every step
 * it tried; then nothing it made is left behind.
 */
export function openControl(options: ControlOptions = {}): number {
  const devDir = resolveDevDir(options.devDir);
  const path = controlPath(devDir);
  const tried: string[] = [];
  const made: Made = {};
  try {
    const major = readMiscMajor();
    let minor = readMiscMinor() ?? MiscDevice.MAPPER_CTRL_MINOR;
    if (inspectExisting(path, devDir, { major, minor }) === 'absent') makeNode(path, { major, minor }, made);
    let opened = tryOpen(path);
    if ('fd' in opened) return opened.fd;
    tried.push(`opening ${path} (c ${major}:${minor}): ${strerror(opened.errno)}`);
    if (driverMissing(opened.errno) && options.modprobe !== false) {
      const modprobe = options.modprobe ?? findModprobe();
      const failure = runModprobe(modprobe, 'dm-mod');
      tried.push(failure ?? `${modprobe} dm-mod: done`);
      const loadedMinor = readMiscMinor();
      if (loadedMinor !== undefined && loadedMinor !== minor) {
        minor = loadedMinor;
        if (inspectExisting(path, devDir, { major, minor }) === 'absent') makeNode(path, { major, minor }, made);
      }
      opened = tryOpen(path);
      if ('fd' in opened) return opened.fd;
      tried.push(`opening ${path} again: ${strerror(opened.errno)}`);
    }
    const errno = opened.errno;
    throw new DmError(`${path}: open failed: ${strerror(errno)}`, {
      kind: 'no-driver',
      code: errnoName(errno),
      errno,
      hint:
        errno === 13 || errno === 1
          ? 'only root can use device-mapper'
          : `the device-mapper driver is not available. Tried: ${tried.join('; ')}. ` +
            'Load the dm-mod module (modprobe dm-mod) or use a kernel with device-mapper',
    });
  } catch (error) {
    takeBack(made);
    if (error instanceof DmError) throw error;
    const errno = errnoOf(error);
    throw new DmError(`Cannot set up ${path}: ${(error as Error).message}`, {
      kind: 'no-driver',
      code: errnoName(errno),
      errno,
      cause: error,
    });
  }
}

/**
 * Closes a control fd from `openControl()`. Not a whole number: a DmError kind 'invalid-argument'
 * (EINVAL); a negative fd or one that is not open: the same kind with code EBADF, as close(2) says.
 */
export function closeControl(fd: number): void {
  if (typeof fd !== 'number' || !Number.isInteger(fd)) throw invalidArgument('closeControl() needs a file descriptor (a whole number)');
  const bad = (cause?: unknown): DmError =>
    dmError('invalid-argument', 'EBADF', `Cannot close the control fd ${fd}`, { hint: 'it is not an open file descriptor', cause });
  if (fd < 0 || fd > 0x7fffffff) throw bad();
  try {
    closeSync(fd);
  } catch (error) {
    const errno = errnoOf(error);
    if (errno === 9) throw bad(error);
    throw dmError('no-driver', errnoName(errno), `Cannot close the control fd ${fd}`, { hint: strerror(errno), cause: error });
  }
}
