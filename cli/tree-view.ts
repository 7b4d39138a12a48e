/**
 * `ls --tree`: dmsetup's dependency tree drawing (its pstree-derived code), byte for byte: the
 * `-o` tree options, the ASCII/UTF-8/VT100 line symbols, compact mode, attributes, and the
 * truncation at 80 columns (or the terminal's width less 3) with `...`.
 */
import { formatDev } from '../lib/device/devt.js';
import { CommandLineError } from './options.js';
import type { DepTree, TreeNode } from './report/dep-tree.js';

/** What `-o` asked the tree to show, and how. */
export interface TreeOptions {
  device: boolean;
  blkdevname: boolean;
  table: boolean;
  status: boolean;
  active: boolean;
  rw: boolean;
  open: boolean;
  uuid: boolean;
  compact: boolean;
  truncate: boolean;
  inverted: boolean;
  symbols: TreeSymbols;
}

/** The six line pieces of a symbol set. */
export interface TreeSymbols {
  empty: string;
  branch: string;
  vertical: string;
  last: string;
  single: string;
  first: string;
}

export const ASCII_SYMBOLS: TreeSymbols = { empty: '  ', branch: '|-', vertical: '| ', last: '`-', single: '---', first: '-+-' };
export const UTF_SYMBOLS: TreeSymbols = {
  empty: '  ',
  branch: '\u251c\u2500',
  vertical: '\u2502 ',
  last: '\u2514\u2500',
  single: '\u2500\u2500\u2500',
  first: '\u2500\u252c\u2500',
};
const VT_BEGIN = '\x1b(0\x0f';
const VT_END = '\x1b(B';
export const VT100_SYMBOLS: TreeSymbols = {
  empty: '  ',
  branch: `${VT_BEGIN}tq${VT_END}`,
  vertical: `${VT_BEGIN}x${VT_END} `,
  last: `${VT_BEGIN}mq${VT_END}`,
  single: `${VT_BEGIN}qqq${VT_END}`,
  first: `${VT_BEGIN}qwq${VT_END}`,
};

/** dmsetup's -o tree words, each matched as a prefix in this order. */
const WORDS = [
  'device', 'blkdevname', 'nodevice', 'status', 'table', 'active', 'open', 'uuid', 'rw', 'utf', 'vt100', 'ascii',
  'inverted', 'compact', 'notrunc',
] as const;

/**
 * Parses `ls --tree -o …` as dmsetup's _process_tree_options. `utf8Locale` picks the default
 * symbols (dmsetup asks nl_langinfo(CODESET)). Throws CommandLineError
 * `Tree options not recognised: <rest>.`
 */
export function parseTreeOptions(options: string | undefined, utf8Locale: boolean): TreeOptions {
  const tree: TreeOptions = {
    device: true,
    blkdevname: false,
    table: false,
    status: false,
    active: false,
    rw: false,
    open: false,
    uuid: false,
    compact: false,
    truncate: true,
    inverted: false,
    symbols: utf8Locale ? UTF_SYMBOLS : ASCII_SYMBOLS,
  };
  const text = options ?? '';
  let at = 0;
  while (at < text.length) {
    let end = text.indexOf(',', at);
    if (end === -1) end = text.length;
    const word = WORDS.find((candidate) => candidate.startsWith(text.slice(at, end)));
    if (!word) throw new CommandLineError(`Tree options not recognised: ${text.slice(at)}.`);
    apply(tree, word);
    if (end === text.length) break;
    at = end + 1;
  }
  return tree;
}

function apply(tree: TreeOptions, word: (typeof WORDS)[number]): void {
  switch (word) {
    case 'nodevice':
      tree.device = false;
      return;
    case 'utf':
      tree.symbols = UTF_SYMBOLS;
      return;
    case 'vt100':
      tree.symbols = VT100_SYMBOLS;
      return;
    case 'ascii':
      tree.symbols = ASCII_SYMBOLS;
      return;
    case 'notrunc':
      tree.truncate = false;
      return;
    default:
      tree[word] = true;
  }
}

/** dmsetup's output width: 80, or a terminal's width less 3 (not with VT100 symbols). */
export function treeWidth(tree: TreeOptions, terminalColumns: number | undefined): number {
  if (tree.symbols !== VT100_SYMBOLS && terminalColumns !== undefined && terminalColumns > 3) return terminalColumns - 3;
  return 80;
}

/**
 * Draws the tree as dmsetup's _display_tree: every root (device nothing uses; with `inverted`,
 * device that uses nothing) and below it what it uses (or what uses it). `kernelName` gives
 * `<dm-0>`-style names for `-o blkdevname`.
 */
export function drawTree(deps: DepTree, tree: TreeOptions, width: number, kernelName: (node: TreeNode) => string | undefined): string {
  return new TreeWriter(deps, tree, width, kernelName).draw();
}

/** The drawing state of dmsetup's tree code (_tree_width, _tree_more, _cur_x, _last_char). */
class TreeWriter {
  private out: number[] = [];
  private x = 1;
  private lastChar = 0;
  private readonly widths: number[] = [];
  private readonly more: boolean[] = [];

  constructor(
    private readonly deps: DepTree,
    private readonly tree: TreeOptions,
    private readonly width: number,
    private readonly kernelName: (node: TreeNode) => string | undefined,
  ) {}

  draw(): string {
    this.walk(this.deps.root, 0);
    return Buffer.from(this.out).toString('utf8');
  }

  private get showAttributes(): boolean {
    return this.tree.active || this.tree.rw || this.tree.open || this.tree.uuid;
  }

  private get compact(): boolean {
    return this.tree.compact && !this.showAttributes && !this.tree.table && !this.tree.status;
  }

  private walk(node: TreeNode, depth: number): void {
    const children = this.deps.children(node, this.tree.inverted);
    children.forEach((child, index) => {
      const hasChildren = this.deps.childCount(child, this.tree.inverted) > 0;
      this.node(child, depth, index === children.length - 1, hasChildren);
      if (hasChildren) this.walk(child, depth + 1);
    });
  }

  /** _display_tree_node. */
  private node(node: TreeNode, depth: number, lastChild: boolean, hasChildren: boolean): void {
    // MAX_DEPTH 100, and the targets' sub-tree needs 2 more.
    if (depth + 2 > 100) return;
    if (!node.name && !this.tree.device && !this.tree.blkdevname) return;
    this.more[depth] = !lastChild;
    this.widths[depth] = 0;
    const firstOnLine = this.x === 1;
    if (!this.compact || firstOnLine) this.prefix(depth);
    const offset = this.x;
    if (this.compact && !firstOnLine) this.string(this.more[depth] ? this.tree.symbols.first : this.tree.symbols.single);
    this.string(node.name);
    const kernel = this.tree.blkdevname ? this.kernelName(node) : undefined;
    if (kernel !== undefined) this.string(` <${kernel}>`);
    if (this.tree.device) this.string(` (${formatDev(node)})`);
    if (this.showAttributes) this.attributes(node);
    if (this.compact) this.widths[depth] = this.x - offset;
    if (!this.compact || !hasChildren) this.newline();
  }

  /** _display_tree_attributes: ` [ACTIVE, RW, 0, uuid]` for a device-mapper device. */
  private attributes(node: TreeNode): void {
    const info = node.info;
    if (!info) return;
    const parts: string[] = [];
    if (this.tree.active) parts.push(info.suspended ? 'SUSPENDED' : 'ACTIVE');
    if (this.tree.rw) parts.push(info.readOnly ? 'RO' : 'RW');
    // dmsetup prints the open count as unsigned.
    if (this.tree.open) parts.push(String(info.openCount >>> 0));
    if (this.tree.uuid) parts.push(info.uuid);
    if (parts.length > 0) this.string(` [${parts.join(', ')}]`);
  }

  /** _out_prefix: the line pieces of every level above this one. */
  private prefix(depth: number): void {
    const symbols = this.tree.symbols;
    for (let level = 0; level < depth; level++) {
      for (let x = (this.widths[level] ?? 0) + 1; x > 0; x--) this.char(0x20);
      if (level === depth - 1) this.string(this.more[depth] ? symbols.branch : symbols.last);
      else this.string(this.more[level + 1] ? symbols.vertical : symbols.empty);
    }
  }

  private string(text: string): void {
    for (const byte of Buffer.from(text)) this.char(byte);
  }

  /** _out_char: counts UTF-8 lead bytes as columns, cuts the line at the width with `...`. */
  private char(byte: number): void {
    const lead = (byte & 0xc0) !== 0x80;
    if (lead) this.x++;
    if (!this.tree.truncate) {
      this.out.push(byte);
      return;
    }
    if (this.x <= this.width) this.out.push(byte);
    if (this.x === this.width + 1 && lead) {
      if (this.lastChar || byte & 0x80) {
        this.out.push(0x2e, 0x2e, 0x2e);
      } else {
        this.lastChar = byte;
        this.x--;
      }
    }
  }

  /** _out_newline: a character held back at the edge is printed if the line ended right there. */
  private newline(): void {
    if (this.lastChar && this.x === this.width) this.out.push(this.lastChar);
    this.lastChar = 0;
    this.out.push(0x0a);
    this.x = 1;
  }
}
