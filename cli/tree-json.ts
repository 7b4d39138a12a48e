/**
 * `ls --tree --json`: the dependency tree dmsetup draws, as data. Each root (a device nothing
 * uses; with `-o inverted`, a device that uses nothing) with, depth first, what it uses (or what
 * uses it). A device that is not device-mapper's has `name: null` and no state.
 */
import type { DepTree, TreeNode } from './report/dep-tree.js';

/** One node of `ls --tree --json`. */
export interface TreeJsonNode {
  name: string | null;
  major: number;
  minor: number;
  uuid?: string;
  suspended?: boolean;
  readOnly?: boolean;
  openCount?: number;
  children: TreeJsonNode[];
}

/** The forest below the tree's root, in dmsetup's drawing order. */
export function treeJson(deps: DepTree, inverted: boolean): TreeJsonNode[] {
  const walk = (node: TreeNode, depth: number): TreeJsonNode[] =>
    // dmsetup stops at depth 100 (MAX_DEPTH, less the targets' two levels): so does this.
    depth + 2 > 100 ? [] : deps.children(node, inverted).filter((child) => child !== deps.root).map((child) => nodeJson(child, deps.childCount(child, inverted) > 0 ? walk(child, depth + 1) : []));
  return walk(deps.root, 0);
}

function nodeJson(node: TreeNode, children: TreeJsonNode[]): TreeJsonNode {
  const { info } = node;
  const state = info ? { uuid: info.uuid, suspended: info.suspended, readOnly: info.readOnly, openCount: info.openCount } : {};
  return { name: node.name === '' ? null : node.name, major: node.major, minor: node.minor, ...state, children };
}
