/**
 * The udev strategy of node keeping: udev makes `/dev/mapper/<name>` (Debian's rules: a symlink
 * to `../dm-N`), and the library waits for it, so a caller's next step never races a missing or
 * stale node. The wait is a transaction around each ioctl that carries a cookie (create, remove,
 * resume, rename), inside the exchange loop: begun before the send, cancelled on failure, ended
 * after the reply with a bounded wait (lib/udev/sync.ts does the cookie or monitor protocol).
 * When udev does not finish in time, the library warns, keeps the device and makes (or removes,
 * or renames) the node itself; with `verify`, it also checks udev's work after a completed wait.
 */
import { DmUdevFlag } from '../../native-defs/index.js';
import { decodeKernelDev } from '../device/devt.js';
import type { DevNumber } from '../device/device-id.js';
import type { ReplyHeader } from '../ioctl/codec.js';
import type { IoctlSpec, IoctlTransaction, TransactionSource } from '../ioctl/dm-ioctl.js';
import { blocking, type Steps } from '../ioctl/steps.js';
import type { CookieCommand } from '../udev/flags.js';
import { DEFAULT_UDEV_TIMEOUT_MS, type UdevSync, type UdevWaitResult } from '../udev/sync.js';
import type { NodeKeeper } from './node-keeper.js';
import { DeviceNodes } from './nodes.js';

export interface UdevNodeKeeperOptions {
  /** How long to wait for udev (default 30 s). */
  timeoutMs?: number | undefined;
  /** After a completed wait, check that udev's node is there and right (and fix it if not). */
  verify?: boolean | undefined;
  /** `--noudevrules`: udev's DM and subsystem rules stay out; the library makes the nodes after the wait. */
  noRules?: boolean | undefined;
  /** Where warnings go (udev too slow, udev's node wrong). */
  warn: (message: string) => void;
}

/** The cookie command of a request, or undefined for one that carries none. */
function cookieCommand(spec: IoctlSpec): CookieCommand | undefined {
  switch (spec.command) {
    case 'DEV_CREATE':
      return 'create';
    case 'DEV_REMOVE':
      return 'remove';
    case 'DEV_RENAME':
      return 'rename';
    case 'DEV_SUSPEND':
      return 'resume';
    default:
      return undefined;
  }
}

export class UdevNodeKeeper implements NodeKeeper {
  readonly kind = 'udev';
  readonly nodes = undefined;
  readonly transactions: TransactionSource;
  private readonly timeoutMs: number;

  constructor(
    private readonly sync: UdevSync,
    /** The library's own hands, for when udev does not do its part. */
    private readonly fallback: DeviceNodes,
    private readonly options: UdevNodeKeeperOptions,
  ) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_UDEV_TIMEOUT_MS;
    this.transactions = (spec, flags) => this.begin(spec, flags);
  }

  private begin(spec: IoctlSpec, flags: number): IoctlTransaction | undefined {
    const command = cookieCommand(spec);
    if (!command) return undefined;
    const udevFlags = this.options.noRules
      ? DmUdevFlag.DISABLE_DM_RULES | DmUdevFlag.DISABLE_SUBSYSTEM_RULES
      : DmUdevFlag.DISABLE_LIBRARY_FALLBACK;
    const target = spec.device?.name !== undefined ? { name: spec.device.name } : spec.name ? { name: spec.name } : {};
    const eventNr = this.sync.begin(command, udevFlags, target);
    const keeper = this;
    return {
      eventNr,
      cancel: () => this.sync.cancel(),
      *end(reply: ReplyHeader): Steps<void> {
        const dev = decodeKernelDev(reply.dev);
        // A removal by name is answered with dev 0: then the name alone says which device it was.
        keeper.sync.end(reply.flags, reply.dev ? { name: reply.name, ...dev } : { name: reply.name });
        const timeout = spec.udevTimeoutMs ?? keeper.timeoutMs;
        let result: UdevWaitResult;
        try {
          result = yield* blocking(
            () => keeper.sync.waitSync(timeout),
            () => keeper.sync.wait(timeout),
          );
        } catch (error) {
          // Cancelled before the wait began (an abort during the ioctl): the transaction is ended
          // without waiting (time-out 0), so its semaphore goes now instead of staying for good.
          keeper.sync.waitSync(0);
          throw error;
        }
        keeper.settle(command, spec, reply, dev, result);
      },
    };
  }

  /** After the wait: warn about what udev did not do, and do it. */
  private settle(command: CookieCommand, spec: IoctlSpec, reply: ReplyHeader, dev: DevNumber, result: UdevWaitResult): void {
    if (result.warning) this.options.warn(result.warning);
    if (result.error) this.options.warn(result.error.message);
    const udevFailed = result.outcome === 'timeout' || result.outcome === 'failed' || result.outcome === 'interrupted';
    if (!udevFailed && !this.options.verify && !this.options.noRules) return;
    const name = reply.name;
    if (!name) return;
    switch (command) {
      case 'create':
        return; // a node comes with the resume
      case 'resume':
        return this.check(name, () => this.fallback.add(name, dev), dev);
      case 'remove':
        return this.check(name, () => this.fallback.remove(name));
      case 'rename': {
        const oldName = spec.device?.name;
        const newName = spec.payload?.kind === 'string' ? spec.payload.value : undefined;
        if (oldName === undefined || newName === undefined || spec.flags) return; // a uuid change moves no node
        return this.check(newName, () => this.fallback.rename(oldName, newName, dev), dev);
      }
    }
  }

  /** Says what udev got wrong (when verifying), then makes the node right; a failure is a warning. */
  private check(name: string, fix: () => void, expected?: DevNumber): void {
    if (this.options.verify) {
      const wrong = this.fallback.whatIsWrong(name, expected);
      if (wrong) this.options.warn(`udev ${wrong}; the library corrects it.`);
    }
    try {
      fix();
    } catch (error) {
      this.options.warn(`${name}: the node udev should have made could not be made either: ${(error as Error).message}`);
    }
  }

  afterCreate(): void {}
  afterResume(): void {}
  afterRename(): void {}
  afterRemove(): void {}
  *afterRemoveAll(): Steps<void> {}
  nodePath(name: string): string {
    return this.fallback.pathOf(name);
  }
}
