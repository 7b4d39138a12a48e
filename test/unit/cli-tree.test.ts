/**
 * `ls --tree` drawing, against dmsetup 1.02.185's output for the same devices (captured in the
 * VM): the -o words, ASCII and UTF-8 lines, blkdevname and attributes, inverted and compact
 * trees, and truncation at the width.
 */
import { describe, expect, it } from 'vitest';
import type { DeviceInfo } from '../../lib/index.js';
import { liveDevice } from '../helpers/device-info.js';
import { DepTree } from '../../cli/report/dep-tree.js';
import { ASCII_SYMBOLS, drawTree, parseTreeOptions, treeWidth, UTF_SYMBOLS, VT100_SYMBOLS } from '../../cli/tree-view.js';

const loop5 = { major: 7, minor: 5 };
const loop6 = { major: 7, minor: 6 };
const dm = (minor: number) => ({ major: 254, minor });

function info(name: string, minor: number, openCount: number, uuid = ''): DeviceInfo {
  return liveDevice(name, minor, { openCount, uuid });
}

// x on loop5; a on x and loop6; p on x; q on p and a; z alone; n without a table.
const DEVICES = new Map([
  [0, { name: 'x', info: info('x', 0, 2), deps: [loop5] }],
  [1, { name: 'a', info: info('a', 1, 1, 'LVM-abcdef'), deps: [loop6, dm(0)] }],
  [2, { name: 'p', info: info('p', 2, 1), deps: [dm(0)] }],
  [3, { name: 'q', info: info('q', 3, 0), deps: [dm(2), dm(1)] }],
  [4, { name: 'z', info: info('z', 4, 0), deps: [] }],
  [5, { name: 'n', info: info('n', 5, 0), deps: [] }],
]);
// The kernel lists by name: a, n, p, q, x, z.
const listed = [dm(1), dm(5), dm(2), dm(3), dm(0), dm(4)];
const deps = new DepTree(listed, (dev) => (dev.major === 254 ? DEVICES.get(dev.minor) : undefined));
const kernelName = (node: { major: number; minor: number }) => (node.major === 7 ? `loop${node.minor}` : `dm-${node.minor}`);

function draw(words: string, width = 80): string {
  const tree = parseTreeOptions(words, false);
  return drawTree(deps, tree, width, kernelName);
}

describe('parseTreeOptions', () => {
  it('defaults: device numbers, truncation, symbols from the locale', () => {
    expect(parseTreeOptions(undefined, false)).toMatchObject({ device: true, truncate: true, symbols: ASCII_SYMBOLS });
    expect(parseTreeOptions(undefined, true).symbols).toBe(UTF_SYMBOLS);
  });

  it('words are matched as prefixes, in dmsetup\'s order', () => {
    expect(parseTreeOptions('nod,b,a,o,r,u,vt,inv,c,not', true)).toMatchObject({
      device: false,
      blkdevname: true,
      active: true,
      open: true,
      rw: true,
      uuid: true,
      symbols: VT100_SYMBOLS,
      inverted: true,
      compact: true,
      truncate: false,
    });
  });

  it('an unknown word: Tree options not recognised: <rest>.', () => {
    expect(() => parseTreeOptions('ascii,bogus,x', false)).toThrow('Tree options not recognised: bogus,x.');
  });

  it('the width: 80, or a terminal less 3, never from the terminal with vt100', () => {
    expect(treeWidth(parseTreeOptions('', false), undefined)).toBe(80);
    expect(treeWidth(parseTreeOptions('', false), 120)).toBe(117);
    expect(treeWidth(parseTreeOptions('vt100', false), 120)).toBe(80);
  });
});

describe('drawTree', () => {
  it('draws roots in list order and what each uses below it (dmsetup ls --tree)', () => {
    expect(drawTree(deps, parseTreeOptions('', true), 80, kernelName)).toBe(
      [
        'n (254:5)',
        'q (254:3)',
        ' ├─p (254:2)',
        ' │  └─x (254:0)',
        ' │     └─ (7:5)',
        ' └─a (254:1)',
        '    ├─ (7:6)',
        '    └─x (254:0)',
        '       └─ (7:5)',
        'z (254:4)',
        '',
      ].join('\n'),
    );
  });

  it('blkdevname and the attributes', () => {
    expect(draw('ascii,blkdevname,active,open,rw,uuid').split('\n').slice(0, 4)).toEqual([
      'n <dm-5> (254:5) [ACTIVE, RW, 0, ]',
      'q <dm-3> (254:3) [ACTIVE, RW, 0, ]',
      ' |-p <dm-2> (254:2) [ACTIVE, RW, 1, ]',
      ' |  `-x <dm-0> (254:0) [ACTIVE, RW, 2, ]',
    ]);
  });

  it('inverted: from the devices that use nothing up', () => {
    // Bottom-level devices in the order the walk met them: loop6 (under a) before loop5 (under x).
    expect(draw('ascii,inverted').split('\n').slice(0, 6)).toEqual([
      ' (7:6)',
      ' `-a (254:1)',
      '    `-q (254:3)',
      ' (7:5)',
      ' `-x (254:0)',
      '    |-a (254:1)',
    ]);
  });

  it('compact: children on their parent\'s line', () => {
    expect(draw('ascii,compact').split('\n').slice(0, 3)).toEqual(['n (254:5)', 'q (254:3)-+-p (254:2)---x (254:0)--- (7:5)', '          `-a (254:1)-+- (7:6)']);
  });

  it('nodevice hides what has no name', () => {
    expect(draw('ascii,nodevice').split('\n').slice(0, 3)).toEqual(['n', 'q', ' |-p']);
  });

  it('truncates at the width with ..., unless notrunc', () => {
    // As dmsetup: the column count starts at 1, so width-1 characters, then the dots.
    const lines = draw('ascii,uuid', 12).split('\n');
    expect(lines[5]).toBe(' `-a (254:1...');
    expect(draw('ascii,uuid,notrunc', 12).split('\n')[5]).toBe(' `-a (254:1) [LVM-abcdef]');
  });
});
