/**
 * Removing a stack of devices in holder order, top first (libdm's dm_tree_deactivate_children,
 * what `lvremove` of a stacked volume does): the device, optionally everything stacked on it,
 * then the device-mapper devices below it that nothing else uses. Written once as steps, run
 * blocking or not.
 */
import type { MapperVerbs } from '../handle/mapper-verbs.js';
import { byDev } from '../device/address.js';
import type { DeviceId } from '../device/device-id.js';
import { describeDevice } from '../device/names.js';
import { dmError, DmError } from '../errors.js';
import type { Steps } from '../ioctl/steps.js';
import type { RetryOptions } from '../retry.js';
import { removalOrder } from './order.js';
import { buildTree } from './tree.js';
import { step } from './verb-steps.js';
import * as check from '../arguments/checks.js';

/** Options of `dm.removeTree()` and `removeTree()`. */
export interface RemoveTreeOptions {
  /** Remove the devices stacked on this one too (top first); without it a held device is refused (EBUSY). */
  withHolders?: boolean;
  /** Devices still open are removed when their last user closes them. */
  deferred?: boolean;
  /** Retry each removal on EBUSY (udev or blkid may hold a device for a moment). */
  retry?: boolean | RetryOptions;
}

/** The removal as steps; returns the names removed, in order. */
export function* removeTreeSteps(dm: MapperVerbs, device: DeviceId, options: RemoveTreeOptions = {}): Steps<string[]> {
  const info = yield* step.info(dm, device);
  const tree = buildTree(dm, { kernelNames: false });
  const top = tree.find(info);
  if (!top?.info) {
    throw dmError('ioctl', 'ENXIO', `device-mapper: ${describeDevice(device)} disappeared while its tree was read`, { device });
  }
  if (top.holders.length > 0 && !options.withHolders) {
    const users = top.holders.map((holder) => holder.name || `${holder.major}:${holder.minor}`).join(', ');
    throw dmError('invalid-argument', 'EBUSY', `Cannot remove the tree of ${info.name}: it is in use by ${users}`, {
      device,
      hint: 'remove those first, or pass withHolders to remove them too',
    });
  }
  const removed: string[] = [];
  for (const node of removalOrder(top, options)) {
    try {
      yield* step.remove(dm, byDev(node), { deferred: options.deferred, retry: options.retry });
    } catch (error) {
      const done = removed.length > 0 ? `removed before it: ${removed.join(', ')}` : 'nothing was removed';
      throw DmError.wrap(error, { addToSummary: `removing the tree of ${info.name} stopped at ${node.name} (${done})` });
    }
    removed.push(node.name);
  }
  return removed;
}

/** Removes `device` and the devices below it that nothing else uses, top first; returns their names. */
export function removeTree(dm: MapperVerbs, device: DeviceId, options: RemoveTreeOptions = {}): string[] {
  check.mapper(dm, 'Argument 1 of removeTree()');
  check.device(device, 'Argument 2 of removeTree()');
  return dm.ioctl.perform(removeTreeSteps(dm, device, options));
}

/** removeTree() without blocking the event loop. */
export function removeTreeAsync(dm: MapperVerbs, device: DeviceId, options: RemoveTreeOptions = {}): Promise<string[]> {
  try {
    check.mapper(dm, 'Argument 1 of removeTreeAsync()');
    check.device(device, 'Argument 2 of removeTreeAsync()');
  } catch (error) {
    return Promise.reject(error);
  }
  return dm.ioctl.performAsync(removeTreeSteps(dm, device, options));
}
