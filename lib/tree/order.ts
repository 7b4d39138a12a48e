/**
 * Orders over the dependency tree, pure (libdm walks its dm_tree for them): what comes first when
 * devices are removed (holders before what they use: libdm's dm_tree_deactivate_children), and
 * the dependency order a transaction loads and resumes in (what is used before its users:
 * dm_tree_preload_children / dm_tree_activate_children), suspends in reverse.
 */
import { invalidArgument } from '../errors.js';
import type { TreeNode } from './tree.js';
import * as check from '../arguments/checks.js';

/**
 * `items` so that each comes after every item `before(item)` names (the others are ignored);
 * among the items free to go next, the lowest `rank`, then the earliest in `items`, goes first.
 * Throws a DmError (invalid-argument) naming `label` of the items on a cycle.
 */
export function ordered<T>(
  items: readonly T[],
  before: (item: T) => readonly T[],
  options: { rank?: (item: T) => number; label?: (item: T) => string } = {},
): T[] {
  check.listOf(() => undefined)(items, 'Argument 1 of ordered()');
  check.func(before, 'Argument 2 of ordered()');
  const rank = options.rank ?? (() => 0);
  const members = new Set(items);
  const waitingFor = new Map(items.map((item) => [item, new Set(before(item).filter((other) => other !== item && members.has(other)))]));
  const result: T[] = [];
  while (result.length < items.length) {
    let next: T | undefined;
    for (const item of items) {
      if (waitingFor.get(item)!.size !== 0 || result.includes(item)) continue;
      if (next === undefined || rank(item) < rank(next)) next = item;
    }
    if (next === undefined) {
      const stuck = items.filter((item) => !result.includes(item)).map(options.label ?? String);
      throw invalidArgument(`The devices ${stuck.join(', ')} depend on each other in a cycle`);
    }
    result.push(next);
    for (const waiting of waitingFor.values()) waiting.delete(next);
  }
  return result;
}

/** Every device that holds `node`, directly or through others (not `node` itself), in tree order of discovery. */
export function holdersAbove(node: TreeNode): TreeNode[] {
  check.treeNode(node, 'Argument 1 of holdersAbove()');
  const found: TreeNode[] = [];
  const visit = (current: TreeNode): void => {
    for (const holder of current.holders) {
      if (found.includes(holder)) continue;
      found.push(holder);
      visit(holder);
    }
  };
  visit(node);
  return found;
}

/**
 * The devices to remove to take `top` away, holders first: `top`, with `withHolders` every
 * device stacked on it, and then each device-mapper device below that nothing else uses any more
 * (a device still used from outside the set stays, and so does everything under it that it uses).
 * Non-DM devices (loop, disks) are never in it.
 */
export function removalOrder(top: TreeNode, options: { withHolders?: boolean } = {}): TreeNode[] {
  check.treeNode(top, 'Argument 1 of removalOrder()');
  const set = [top, ...(options.withHolders ? holdersAbove(top) : [])];
  for (let grew = true; grew; ) {
    grew = false;
    for (const member of [...set]) {
      for (const dep of member.deps) {
        if (!dep.dm || !dep.info || set.includes(dep)) continue;
        if (dep.holders.every((holder) => set.includes(holder))) {
          set.push(dep);
          grew = true;
        }
      }
    }
  }
  return ordered(set, (node) => node.holders, { label: (node) => node.name || `${node.major}:${node.minor}` });
}
