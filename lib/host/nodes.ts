/**
 * /dev/mapper/<name> block nodes, kept in step with the kernel by the library itself (when udev
 * does not do it): made on resume (or create), renamed on rename, removed on remove, each exactly
 * when the ioctl has succeeded, and `sync` to repair the whole directory (dmsetup mknodes).
 *
 * Safety: nothing is ever written through a symbolic link or outside `<devDir>/mapper` (a mapper
 * directory that is itself a symlink is refused). A symlink that leads to the right block device
 * (udev's `mapper/X -> ../dm-N`) is left alone; one that leads to another block device, or nowhere,
 * is replaced, not followed. Anything else in the way that is not a block device (a file, or a link
 * to one) is an error, as in libdevmapper.
 */
import {
  chmodSync,
  chownSync,
  closeSync,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  statSync,
  unlinkSync,
  type Stats,
} from 'node:fs';
import { join } from 'node:path';
import { DM_CONTROL_NODE, DM_DIR, FileType, OpenFlag } from '../../native-defs/index.js';
import { glibcMakedev, glibcSplitDev, type DevNumber } from '../device/devt.js';
import { DmError, invalidArgument } from '../errors.js';
import { errnoName, errnoOf, strerror } from '../sys/errno.js';
import { libc } from '../sys/libc.js';
import { validateName } from '../device/names.js';

/** Owner, group and permission bits of the nodes the library makes. */
export interface NodeOwnership {
  /** The owner's user id (0: root). */
  uid: number;
  /** The group id (Debian's `disk` is 6). */
  gid: number;
  /** Permission bits, e.g. 0o660 (only the low 12 bits count; the file type is always a block device). */
  mode: number;
}

/** Debian's libdevmapper defaults: root, group `disk` (6), 0660. */
export const DEFAULT_NODE_OWNERSHIP: Readonly<NodeOwnership> = { uid: 0, gid: 6, mode: 0o660 };

/** What sync() changed. */
export interface NodeSyncReport {
  /** Names whose node was made or replaced. */
  added: string[];
  /** Names whose stale node was removed. */
  removed: string[];
}

function nodeError(message: string, error?: unknown, errnoValue?: number): DmError {
  const errno = errnoValue ?? errnoOf(error);
  return new DmError(message, { kind: 'node', code: errnoName(errno), errno, cause: error });
}

/** lstat, or undefined when nothing is there: no Error is made and thrown for the expected ENOENT. */
function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path, { throwIfNoEntry: false });
  } catch (error) {
    throw nodeError(`${path}: lstat failed: ${(error as Error).message}`, error);
  }
}

const EEXIST = 17;

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined; // dangling link, or a loop
  }
}

function isBlock(stats: Stats): boolean {
  return (stats.mode & FileType.S_IFMT) === FileType.S_IFBLK;
}

function hasDev(stats: Stats, dev: DevNumber): boolean {
  const actual = glibcSplitDev(stats.rdev);
  return isBlock(stats) && actual.major === dev.major && actual.minor === dev.minor;
}

/** The /dev/mapper directory of one device directory, and the nodes in it. */
export class DeviceNodes {
  /** `<devDir>/mapper`, where the nodes are. */
  readonly mapperDir: string;

  /**
   * Nodes under `devDir` (an absolute path, e.g. `/dev`), made with `ownership`. Nothing is touched
   * until a method is called.
   */
  constructor(
    /** The device directory, e.g. `/dev` (dmsetup's DM_DEV_DIR). */
    readonly devDir: string,
    /** Owner, group and mode of the nodes this makes. */
    readonly ownership: NodeOwnership = DEFAULT_NODE_OWNERSHIP,
    /** Gets libdm's debug line of each node made, renamed or removed (`Created /dev/mapper/x`). */
    private readonly debug?: (line: string) => void,
  ) {
    if (typeof devDir !== 'string' || !devDir.startsWith('/')) {
      throw invalidArgument(`The device directory ${JSON.stringify(devDir)} of DeviceNodes must be an absolute path`);
    }
    this.mapperDir = join(devDir, DM_DIR);
  }

  /** `<devDir>/mapper/<name>`. */
  pathOf(name: string): string {
    validateName(name);
    return join(this.mapperDir, name);
  }

  /**
   * Makes the node for `name` (libdm's NODE_ADD): a right block node, or a symlink to one, is left
   * as it is; a block node with another number, or a symlink to anything but the right node, is
   * replaced; any other file in the way is an error. The usual case (nothing there) is tried
   * first: mknod, and only its EEXIST looks at what is in the way.
   */
  add(name: string, dev: DevNumber): void {
    const path = this.pathOf(name);
    const { uid, gid, mode: asked } = this.ownership;
    this.stacked(name, `NODE_ADD (${dev.major},${dev.minor}) ${uid}:${gid} 0${asked.toString(8)}`);
    this.ensureMapperDir();
    const mode = this.ownership.mode & 0o7777;
    const errno = this.tryMknod(path, dev, mode);
    if (errno === EEXIST) {
      const existing = lstatOrUndefined(path);
      if (existing) {
        const seen = existing.isSymbolicLink() ? statOrUndefined(path) : existing;
        if (seen && hasDev(seen, dev)) return;
        if (seen && !isBlock(seen)) throw nodeError(`A non-block device file at '${path}' is already present`, undefined, EEXIST);
        this.unlink(path, name);
      }
      this.mknod(path, name, dev, mode);
      return;
    }
    if (errno !== 0) throw nodeError(`${path}: mknod for ${name} failed: ${strerror(errno)}`, undefined, errno);
    this.setOwnership(path, name, dev, mode);
    this.debug?.(`Created ${path}`);
  }

  /**
   * Removes the node for `name` if there is one (libdm's NODE_DEL); a symlink is removed, not
   * followed. With `dev` (a device the library itself made and takes back), only a block node of
   * that number or a link to it is removed: a file that was there before is not ours to delete.
   */
  remove(name: string, dev?: DevNumber): void {
    const path = this.pathOf(name);
    this.stacked(name, 'NODE_DEL');
    if (!this.mapperDirExists()) return;
    if (!dev) {
      // Whatever is there goes (unlink never follows a link): no lstat first, ENOENT is success.
      if (this.unlink(path, name)) this.debug?.(`Removed ${path}`);
      return;
    }
    const existing = lstatOrUndefined(path);
    if (!existing) return;
    if (!hasDev(existing.isSymbolicLink() ? (statOrUndefined(path) ?? existing) : existing, dev)) return;
    this.unlink(path, name);
    this.debug?.(`Removed ${path}`);
  }

  /**
   * What is wrong at `name`'s path, in words, or undefined when it is right: with `dev`, a block
   * node of that number (or a link to one) must be there; without, nothing must be.
   */
  whatIsWrong(name: string, dev?: DevNumber): string | undefined {
    const path = this.pathOf(name);
    const existing = lstatOrUndefined(path);
    if (!dev) return existing ? `left ${path} behind` : undefined;
    if (!existing) return `did not make ${path}`;
    const seen = existing.isSymbolicLink() ? statOrUndefined(path) : existing;
    if (!seen) return `made ${path} a link that leads nowhere`;
    if (!hasDev(seen, dev)) {
      const actual = glibcSplitDev(seen.rdev);
      return `made ${path} point at ${isBlock(seen) ? `block device ${actual.major}:${actual.minor}` : 'something that is not a block device'}, not ${dev.major}:${dev.minor}`;
    }
    return undefined;
  }

  /**
   * Renames the node of `oldName` to `newName` (libdm's NODE_RENAME). Something at the new path is
   * replaced if it is a block node (or a link); when there was no old node, the new one is made.
   */
  rename(oldName: string, newName: string, dev: DevNumber): void {
    const oldPath = this.pathOf(oldName);
    const newPath = this.pathOf(newName);
    this.stacked(oldName, `NODE_RENAME to ${newName}`);
    if (!this.mapperDirExists()) {
      this.add(newName, dev);
      return;
    }
    const existing = lstatOrUndefined(newPath);
    if (existing) {
      const seen = existing.isSymbolicLink() ? statOrUndefined(newPath) : existing;
      if (seen && !isBlock(seen)) throw nodeError(`A non-block device file at '${newPath}' is already present`, undefined, 17);
      this.unlink(newPath, newName);
    }
    if (!lstatOrUndefined(oldPath)) {
      this.add(newName, dev);
      return;
    }
    try {
      renameSync(oldPath, newPath);
    } catch (error) {
      throw nodeError(`Unable to rename device node from '${oldPath}' to '${newPath}'`, error);
    }
    this.debug?.(`Renamed ${oldPath} to ${newPath}`);
  }

  /**
   * Makes the directory match the kernel's `devices` (dmsetup mknodes): with `names`, only those
   * (made if the kernel has them, removed if not); without, every device gets its node and every
   * other entry but `control` is removed, except those `kept` says to leave. With `warn`, a node
   * that cannot be made or removed (a DmError kind 'node') is passed to it and the others are still
   * done; without, the first throws.
   */
  sync(
    devices: ReadonlyArray<{ name: string } & DevNumber>,
    names?: readonly string[],
    { kept, warn }: { kept?: (name: string) => boolean; warn?: ((message: string) => void) | undefined } = {},
  ): NodeSyncReport {
    const report: NodeSyncReport = { added: [], removed: [] };
    this.mapperDirExists(); // refuses a symlink or a file before anything is read or removed
    // With `warn`, a node that cannot be made or removed is a warning, and the others are done (dmsetup's way).
    const attempt = (work: () => void): boolean => {
      try {
        work();
        return true;
      } catch (error) {
        if (!warn || !(error instanceof DmError) || error.kind !== 'node') throw error;
        warn(error.message);
        return false;
      }
    };
    const byName = new Map(devices.map((device) => [device.name, device]));
    const candidates = names ?? this.entries();
    for (const name of candidates) {
      if (byName.has(name) || name === DM_CONTROL_NODE || kept?.(name)) continue;
      if (lstatOrUndefined(join(this.mapperDir, name)) && attempt(() => this.remove(name))) report.removed.push(name);
    }
    for (const device of names ? devices.filter((d) => names.includes(d.name)) : devices) {
      const path = join(this.mapperDir, device.name);
      const before = lstatOrUndefined(path);
      const seen = before?.isSymbolicLink() ? statOrUndefined(path) : before;
      // A right node, or a udev link to it, was kept: not "added".
      if (attempt(() => this.add(device.name, device)) && (!seen || !hasDev(seen, device))) report.added.push(device.name);
    }
    return report;
  }

  /** The names in the mapper directory, `control` excluded. */
  private entries(): string[] {
    try {
      return readdirSync(this.mapperDir).filter((name) => name !== DM_CONTROL_NODE);
    } catch {
      return [];
    }
  }

  /**
   * True when `<devDir>/mapper` is a real directory, false when it is absent; a symlink or a file
   * there is refused, so nothing is ever removed or renamed through it.
   */
  private mapperDirExists(): boolean {
    const stats = lstatOrUndefined(this.mapperDir);
    if (stats && !stats.isDirectory()) {
      throw nodeError(`${this.mapperDir} is not a directory; refusing to manage device nodes through it`, undefined, 20);
    }
    return stats !== undefined;
  }

  /** Makes `<devDir>/mapper` if needed; refuses a symlink or a file there. */
  private ensureMapperDir(): void {
    const stats = lstatOrUndefined(this.mapperDir);
    if (!stats) {
      try {
        mkdirSync(this.mapperDir, { recursive: true, mode: 0o755 });
        chmodSync(this.mapperDir, 0o755);
      } catch (error) {
        throw nodeError(`${this.mapperDir}: mkdir failed: ${(error as Error).message}`, error);
      }
    } else if (!stats.isDirectory()) {
      throw nodeError(`${this.mapperDir} is not a directory; refusing to make device nodes through it`, undefined, 20);
    }
  }

  /** mknod(2) of the block node: 0, or the errno. */
  private tryMknod(path: string, dev: DevNumber, mode: number): number {
    return libc().mknod(path, FileType.S_IFBLK | mode, glibcMakedev(dev)) === 0 ? 0 : libc().errno();
  }

  private mknod(path: string, name: string, dev: DevNumber, mode: number): void {
    const errno = this.tryMknod(path, dev, mode);
    // EEXIST: made meanwhile (setOwnership checks it is the right node before touching it).
    if (errno !== 0 && errno !== EEXIST) throw nodeError(`${path}: mknod for ${name} failed: ${strerror(errno)}`, undefined, errno);
    this.setOwnership(path, name, dev, mode);
  }

  /**
   * Gives the node just made its owner and exact mode (whatever the umask: libdevmapper sets umask
   * 0, but that is process-wide). Race-free: the node is opened O_PATH|O_NOFOLLOW and checked to be
   * the block device made, and the change goes through that fd (`/proc/self/fd/N` names exactly
   * that inode), so a symlink or another file swapped into the path meanwhile is refused, never
   * followed: nothing outside our node is ever chowned or chmodded.
   */
  private setOwnership(path: string, name: string, dev: DevNumber, mode: number): void {
    let fd: number;
    try {
      fd = openSync(path, OpenFlag.O_PATH | OpenFlag.O_NOFOLLOW);
    } catch (error) {
      throw nodeError(`${path}: the node for ${name} vanished while it was being made: ${(error as Error).message}`, error);
    }
    try {
      const stats = fstatSync(fd);
      if (!hasDev(stats, dev)) {
        throw nodeError(
          `${path} was replaced while it was being made (it is no longer block device ${dev.major}:${dev.minor}); refusing to change its owner or mode`,
          undefined,
          EEXIST,
        );
      }
      // What already holds needs no syscall: the owner when the process's ids are the wanted
      // ones, the mode when the umask took nothing from it.
      const self = `/proc/self/fd/${fd}`;
      if (stats.uid !== this.ownership.uid || stats.gid !== this.ownership.gid) chownSync(self, this.ownership.uid, this.ownership.gid);
      if ((stats.mode & 0o7777) !== mode) chmodSync(self, mode);
    } catch (error) {
      if (error instanceof DmError) throw error;
      throw nodeError(`${path}: chown/chmod failed: ${(error as Error).message}`, error);
    } finally {
      closeSync(fd);
    }
  }

  /** libdm's debug lines of a node operation, which it stacks and later processes (we do it at once). */
  private stacked(name: string, operation: string): void {
    if (!this.debug) return;
    this.debug(`${name}: Stacking ${operation}`);
    this.debug(`${name}: Processing ${operation}`);
  }

  /** unlink(2); false when there was nothing there. */
  private unlink(path: string, name: string): boolean {
    try {
      unlinkSync(path);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      // A read-only directory refuses the unlink before looking (EROFS): nothing there is success too.
      if (!lstatOrUndefined(path)) return false;
      throw nodeError(`Unable to unlink device node for '${name}'`, error);
    }
  }
}

/** Is udev running (systemd's libudev test: /run/udev/control exists)? */
export function udevIsRunning(): boolean {
  return lstatOrUndefined('/run/udev/control') !== undefined;
}
