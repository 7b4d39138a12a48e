/**
 * The device dependency tree dmsetup's tree report fields read (libdm's dm_tree, as
 * _build_whole_deptree fills it): every listed device, in list order, and depth first its
 * dependencies; a node's parents are kept in the order they were found, as libdm links them.
 */
import type { DeviceInfo, DevNumber } from '../../lib/index.js';
import { formatDev } from '../../lib/device/devt.js';

/** One device in the tree; `name` is '' for a device that is not a device-mapper device. */
export interface TreeNode extends DevNumber {
  name: string;
  /** The kernel's view of a device-mapper device (undefined for other devices and the root). */
  info?: DeviceInfo | undefined;
  /** The devices this one uses (the root when it uses none). */
  uses: TreeNode[];
  /** The devices using this one (the root when none does). */
  usedBy: TreeNode[];
}

/** What the tree needs to know about a device: its state and dependencies, or undefined if it is not DM. */
export type DepsLookup = (dev: DevNumber) => { name: string; info?: DeviceInfo; deps: readonly DevNumber[] } | undefined;

export class DepTree {
  readonly root: TreeNode = { name: '', major: 0, minor: 0, uses: [], usedBy: [] };
  private readonly nodes = new Map<string, TreeNode>();

  /** Builds the tree of `devices` (in the kernel's list order). */
  constructor(devices: readonly DevNumber[], private readonly lookup: DepsLookup) {
    for (const device of devices) this.add(this.root, device);
  }

  /** The node of `dev`, if it is in the tree. */
  find(dev: DevNumber): TreeNode | undefined {
    return this.nodes.get(key(dev));
  }

  /** Devices using `node` (0 for a top-level one): the #Refs field. */
  parentCount(node: TreeNode): number {
    return this.linked(this.root, node) ? 0 : node.usedBy.length;
  }

  /** libdm's dm_tree_node_num_children: what `node` uses (or, inverted, what uses it), the root not counted. */
  childCount(node: TreeNode, inverted: boolean): number {
    if (inverted) return this.parentCount(node);
    return this.linked(node, this.root) ? 0 : node.uses.length;
  }

  /** libdm's dm_tree_next_child order: what `node` uses, or (inverted) what uses it. */
  children(node: TreeNode, inverted: boolean): readonly TreeNode[] {
    return inverted ? node.usedBy : node.uses;
  }

  private add(parent: TreeNode, dev: DevNumber): void {
    let node = this.find(dev);
    const isNew = !node;
    let deps: readonly DevNumber[] = [];
    if (!node) {
      const found = this.lookup(dev);
      node = { name: found?.name ?? '', info: found?.info, major: dev.major, minor: dev.minor, uses: [], usedBy: [] };
      deps = found?.deps ?? [];
      this.nodes.set(key(dev), node);
    }
    this.link(parent, node);
    if (!isNew) return;
    if (deps.length === 0) {
      this.link(node, this.root);
      return;
    }
    for (const dep of deps) this.add(node, dep);
  }

  /** libdm's _link_tree_nodes: the root stands in for "no parent" / "no child" and gives way to real ones. */
  private link(parent: TreeNode, child: TreeNode): void {
    if (parent === this.root) {
      if (this.parentCount(child) > 0) return;
    } else {
      this.unlink(this.root, child);
    }
    if (child === this.root) {
      if (!this.linked(parent, this.root) && parent.uses.length > 0) return;
    } else {
      this.unlink(parent, this.root);
    }
    if (this.linked(parent, child)) return;
    parent.uses.push(child);
    child.usedBy.push(parent);
  }

  private linked(parent: TreeNode, child: TreeNode): boolean {
    return parent.uses.includes(child);
  }

  private unlink(parent: TreeNode, child: TreeNode): void {
    if (!this.linked(parent, child)) return;
    parent.uses.splice(parent.uses.indexOf(child), 1);
    child.usedBy.splice(child.usedBy.indexOf(parent), 1);
  }
}

function key(dev: DevNumber): string {
  return formatDev(dev);
}
