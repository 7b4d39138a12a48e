/**
 * Who keeps `/dev/mapper/<name>`: one strategy, chosen when a handle is opened, whose hooks run
 * after the ioctls that change a device's node (create, resume, rename, remove, remove_all).
 * The verbs call the hooks and never ask who keeps the nodes; the udev handoff is one more
 * strategy (with a transaction around the ioctls that carry a cookie), not `if`s in the verbs.
 *
 * - `library`: the library makes, renames and removes the nodes itself (no udev, or
 *   DM_DISABLE_UDEV), exactly when each ioctl has succeeded, as libdevmapper's node ops do;
 * - `udev`: udev makes them and the library waits for it (./udev-node-keeper.ts);
 * - `nobody`: someone else (udev, not waited for: `udevSync: 'off'`) or nobody keeps them.
 */
import type { DeviceInfo } from '../device/device-info.js';
import { isDmError } from '../errors.js';
import type { DevNumber } from '../device/device-id.js';
import type { TransactionSource } from '../ioctl/dm-ioctl.js';
import type { Steps } from '../ioctl/steps.js';
import type { DeviceNodes } from './nodes.js';

export interface NodeKeeper {
  /** Which strategy this is. */
  readonly kind: 'library' | 'udev' | 'nobody';
  /** The nodes the library keeps, when it keeps them. */
  readonly nodes: DeviceNodes | undefined;
  /** Wraps the ioctls that carry a udev cookie (the udev strategy); undefined for the others. */
  readonly transactions: TransactionSource | undefined;
  /** After DEV_CREATE: make the node now (addNodeOn 'create'). A throw makes create take the device back. */
  afterCreate(info: DeviceInfo): void;
  /** After a resume: make the node (the default moment, as dmsetup). */
  afterResume(info: DeviceInfo): void;
  /** After DEV_RENAME. */
  afterRename(oldName: string, newName: string, dev: DevNumber): void;
  /** After DEV_REMOVE, with the name the kernel reported (and the number, when the device was addressed by it). */
  afterRemove(name: string, dev?: DevNumber): void;
  /** After REMOVE_ALL: make the directory match what is left (`remaining` lists it, if needed). */
  afterRemoveAll(remaining: () => Steps<ReadonlyArray<{ name: string } & DevNumber>>): Steps<void>;
  /** The device's node path where this strategy knows it (read-ahead's ioctl fallback). */
  nodePath(name: string): string | undefined;
  /** Where node errors go instead of being thrown (`nodeErrors: 'warn'`), when they do. */
  readonly nodeWarning?: ((message: string) => void) | undefined;
}

/** The library keeps the nodes. */
export class LibraryNodeKeeper implements NodeKeeper {
  readonly kind = 'library';
  readonly transactions = undefined;

  /** @param nodeWarning when given, a node error (kind 'node') is passed to it instead of thrown (libdm's way). */
  constructor(
    readonly nodes: DeviceNodes,
    private readonly addNodeOn: 'resume' | 'create',
    readonly nodeWarning?: (message: string) => void,
  ) {}

  afterCreate(info: DeviceInfo): void {
    if (this.addNodeOn === 'create') this.guard(() => this.nodes.add(info.name, info));
  }

  afterResume(info: DeviceInfo): void {
    if (this.addNodeOn === 'resume' && info.name) this.guard(() => this.nodes.add(info.name, info));
  }

  afterRename(oldName: string, newName: string, dev: DevNumber): void {
    this.guard(() => this.nodes.rename(oldName, newName, dev));
  }

  afterRemove(name: string, dev?: DevNumber): void {
    if (name) this.guard(() => this.nodes.remove(name, dev));
  }

  private guard(nodeWork: () => void): void {
    try {
      nodeWork();
    } catch (error) {
      if (!this.nodeWarning || !isDmError(error) || error.kind !== 'node') throw error;
      this.nodeWarning(error.message);
    }
  }

  *afterRemoveAll(remaining: () => Steps<ReadonlyArray<{ name: string } & DevNumber>>): Steps<void> {
    this.nodes.sync(yield* remaining());
  }

  nodePath(name: string): string {
    return this.nodes.pathOf(name);
  }
}

/** Someone else, or nobody, keeps the nodes. */
export class NoNodeKeeper implements NodeKeeper {
  readonly kind = 'nobody';
  readonly nodes = undefined;
  readonly transactions = undefined;
  afterCreate(): void {}
  afterResume(): void {}
  afterRename(): void {}
  afterRemove(): void {}
  *afterRemoveAll(): Steps<void> {}
  nodePath(): undefined {
    return undefined;
  }
}
