/**
 * The device dependency tree (libdm's dm_tree, as dmsetup's _build_whole_deptree fills it): every
 * device-mapper device, what each one's table uses (its deps) and what uses it (its holders), down
 * to the devices that are not device-mapper devices (loop, disks, partitions), with the names
 * sysfs gives them. `treeFrom` builds it from any source of deps (host tests script one);
 * `buildTree` asks the kernel, one TABLE_DEPS per device.
 */
import type { MapperVerbs } from '../handle/mapper-verbs.js';
import { byDev } from '../device/address.js';
import type { DevNumber } from '../device/device-id.js';
import type { DeviceInfo } from '../device/device-info.js';
import { isDmError } from '../errors.js';
import { blockDeviceName } from '../host/sysfs.js';
import * as check from '../arguments/checks.js';

/** One device in the tree. */
export interface TreeNode extends DevNumber {
  /** The device-mapper name, or for another block device its sysfs name (`loop0`), or '' if sysfs has none. */
  name: string;
  /** The name sysfs gives the block device (`dm-3`, `loop0`, `sda1`); undefined when not known or not asked. */
  kernelName: string | undefined;
  /** A device-mapper device (one of the devices the tree was built from). */
  dm: boolean;
  /** The kernel's view of a device-mapper device (undefined for other devices, or when its deps query failed). */
  info: DeviceInfo | undefined;
  /** What this device's table uses, in the kernel's order. */
  deps: TreeNode[];
  /** What uses this device, in the order the tree found them. */
  holders: TreeNode[];
}

/** What the tree needs to know about one device-mapper device; undefined when it vanished meanwhile. */
export type DepsSource = (dev: DevNumber) => { info: DeviceInfo; deps: readonly DevNumber[] } | undefined;

/** Options of `treeFrom()` and, through BuildTreeOptions, of `dm.tree()`. */
export interface TreeOptions {
  /** Look up sysfs names (default true). */
  kernelNames?: boolean;
}

/** A dependency tree: its nodes by device number, and its tops and bottoms. */
export class DeviceTree {
  /** @param byKey the nodes by `major:minor`, in node order (built by treeFrom). */
  constructor(private readonly byKey: ReadonlyMap<string, TreeNode>) {}

  /** Every node: the device-mapper devices in the order given, then the other devices as found. */
  get nodes(): TreeNode[] {
    return [...this.byKey.values()];
  }

  /** Devices nothing uses (the tops of the stacks), in node order. */
  get tops(): TreeNode[] {
    return this.nodes.filter((node) => node.holders.length === 0);
  }

  /** Devices that use nothing (non-DM devices, and DM devices without deps), in node order. */
  get bottoms(): TreeNode[] {
    return this.nodes.filter((node) => node.deps.length === 0);
  }

  /** The node of `dev`, if the tree has it. */
  find(dev: DevNumber): TreeNode | undefined {
    return this.byKey.get(devKey(dev));
  }

  /** The device-mapper node named `name`, if the tree has it. */
  findByName(name: string): TreeNode | undefined {
    return this.nodes.find((node) => node.dm && node.name === name);
  }
}

/**
 * The tree of `devices` (the device-mapper devices, e.g. as listed), their deps from `source`.
 * A dep that is not in `devices` is a leaf (a non-DM block device).
 */
export function treeFrom(devices: readonly DevNumber[], source: DepsSource, options: TreeOptions = {}): DeviceTree {
  check.listOf(check.devNumber)(devices, 'Argument 1 of treeFrom()');
  check.func(source, 'Argument 2 of treeFrom()');
  const nodes = new Map<string, TreeNode>();
  const nodeOf = (dev: DevNumber, make: () => TreeNode): TreeNode => {
    let node = nodes.get(devKey(dev));
    if (!node) nodes.set(devKey(dev), (node = make()));
    return node;
  };
  const kernelName = (dev: DevNumber): string | undefined => (options.kernelNames === false ? undefined : blockDeviceName(dev, true));
  const blank = (dev: DevNumber, dm: boolean): TreeNode => ({
    major: dev.major,
    minor: dev.minor,
    name: '',
    kernelName: kernelName(dev),
    dm,
    info: undefined,
    deps: [],
    holders: [],
  });
  const found = devices.map((dev) => ({ node: nodeOf(dev, () => blank(dev, true)), answer: source(dev) }));
  for (const { node, answer } of found) {
    if (!answer) continue;
    node.info = answer.info;
    node.name = answer.info.name;
    for (const dep of answer.deps) {
      const child = nodeOf(dep, () => {
        const leaf = blank(dep, false);
        leaf.name = leaf.kernelName ?? '';
        return leaf;
      });
      if (!node.deps.includes(child)) node.deps.push(child);
      if (!child.holders.includes(node)) child.holders.push(node);
    }
  }
  return new DeviceTree(nodes);
}

/** Options of `dm.tree()` and `buildTree()`: which devices, which table, what to do when a query fails. */
export interface BuildTreeOptions extends TreeOptions {
  /** The device-mapper devices to build from (default: every device, `dm.list()`). */
  devices?: readonly DevNumber[];
  /** Use each device's inactive table instead of its live one. */
  inactive?: boolean;
  /**
   * Called when a device's deps query fails; the device then stays in the tree without info or
   * deps. Without it, ENXIO (the device was removed meanwhile) leaves the device so too, and any
   * other error is thrown.
   */
  onError?: (error: unknown, dev: DevNumber) => void;
}

/** The kernel's dependency tree: deps and holders of every device-mapper device, one TABLE_DEPS each. */
export function buildTree(dm: MapperVerbs, options: BuildTreeOptions = {}): DeviceTree {
  check.mapper(dm, 'Argument 1 of buildTree()');
  if (options !== undefined) check.object(options, 'Argument 2 of buildTree()');
  const devices = options.devices ?? dm.list({ uuids: false });
  return treeFrom(
    devices,
    (dev) => {
      try {
        return dm.deps(byDev(dev), { inactive: Boolean(options.inactive) });
      } catch (error) {
        if (isDmError(error, 'ENXIO') && !options.onError) return undefined;
        if (!options.onError) throw error;
        options.onError(error, dev);
        return undefined;
      }
    },
    options,
  );
}

function devKey({ major, minor }: DevNumber): string {
  return `${major}:${minor}`;
}
