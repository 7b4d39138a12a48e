/**
 * Which node-keeping strategy a handle gets (./node-keeper.ts, ./udev-node-keeper.ts), decided
 * once at open() from its options and the host.
 */
import { chooseUdevSync, type UdevSyncMode } from '../udev/policy.js';
import { createUdevSync } from '../udev/strategy.js';
import { LibraryNodeKeeper, NoNodeKeeper, type NodeKeeper } from './node-keeper.js';
import { DeviceNodes, type NodeOwnership } from './nodes.js';
import { UdevNodeKeeper } from './udev-node-keeper.js';

export interface NodeKeeperOptions {
  /** `'auto'`: udev when it runs (and DM_DISABLE_UDEV is not set), else the library; true: the library; false: nobody. */
  nodes: 'auto' | boolean;
  devDir: string;
  ownership: NodeOwnership;
  addNodeOn: 'resume' | 'create';
  /** A node the library cannot keep fails the verb (`throw`) or is a warning (`warn`, libdm's way). */
  nodeErrors: 'throw' | 'warn';
  /** How to wait for udev: its cookies (libdm's protocol), its events on netlink, or not at all. */
  udevSync: UdevSyncMode;
  /** Join this udev cookie (`--udevcookie`): never wait, never release it; the caller does. */
  udevCookie?: number | undefined;
  udevTimeoutMs?: number | undefined;
  verifyUdev?: boolean | undefined;
  noUdevRules?: boolean | undefined;
  warn: (message: string) => void;
  /** Gets the debug line of each node made, renamed or removed. */
  debug?: ((line: string) => void) | undefined;
}

/**
 * The strategy for a handle's settings and the host, in libdm's order of checks: DM_DISABLE_UDEV
 * or no udev (or a device directory udev does not serve) → the library; udev sync off → udev
 * alone, no wait; else udev, waited for by cookie or by monitor (chosen by lib/udev/policy.ts).
 */
export function chooseNodeKeeper(options: NodeKeeperOptions): NodeKeeper {
  const library = (): LibraryNodeKeeper =>
    new LibraryNodeKeeper(new DeviceNodes(options.devDir, options.ownership, options.debug), options.addNodeOn, options.nodeErrors === 'warn' ? options.warn : undefined);
  if (options.nodes === true) return library();
  if (options.nodes === false) return new NoNodeKeeper();
  const choice = chooseUdevSync({ requested: options.udevSync });
  for (const warning of choice.warnings) options.warn(warning);
  // udev makes nodes under /dev only: another device directory is the library's to keep.
  if (choice.udevDisabled || !choice.udevRunning || !servedByUdev(options.devDir)) return library();
  if (choice.mode === 'off') return new NoNodeKeeper();
  const sync = createUdevSync(choice.mode, options.udevCookie !== undefined ? { joinCookie: options.udevCookie } : {});
  return new UdevNodeKeeper(sync, new DeviceNodes(options.devDir, options.ownership, options.debug), {
    timeoutMs: options.udevTimeoutMs,
    verify: options.verifyUdev,
    noRules: options.noUdevRules,
    warn: options.warn,
  });
}

function servedByUdev(devDir: string): boolean {
  return devDir === '/dev' || devDir === '/dev/';
}
