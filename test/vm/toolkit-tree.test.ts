/**
 * The dependency tree against the real kernel: a stacked set (linear over loop devices, an
 * LVM-style snapshot: origin as snapshot-origin over `-real`, the snapshot over `-real` and its
 * COW) read with buildTree, its deps and holders checked against sysfs's slaves/ and holders/
 * directories (an independent witness); removeTree takes a stack down top first and keeps what
 * other devices still use; a held device is refused unless its holders go too.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildTree, byName, removeTree, removeTreeAsync, type TableRow } from '../../lib/index.js';
import { makeLoopDevice, type LoopDevice } from '../helpers/loop.js';
import { catchDmError, dmsetupDevices, useKernelFixture } from './lib-support.js';

const { dm, names, loops } = useKernelFixture('toolkit-tree');

const linear = (loop: LoopDevice, sectors: number): TableRow[] => [{ start: 0, length: sectors, type: 'linear', params: `${loop.path} 0` }];

/** origin (snapshot-origin) and snap (snapshot) over real (linear on loop A) and cow (linear on loop B). */
function snapshotSet() {
  const a = makeLoopDevice(8);
  const b = makeLoopDevice(4);
  loops.push(a, b);
  const sectors = a.sectors;
  const real = dm.createDevice(names.of('origin-real'), linear(a, sectors));
  const cow = dm.createDevice(names.of('snap-cow'), linear(b, b.sectors));
  const dev = (info: { major: number; minor: number }) => `${info.major}:${info.minor}`;
  const origin = dm.createDevice(names.of('origin'), [{ start: 0, length: sectors, type: 'snapshot-origin', params: dev(real) }]);
  const snap = dm.createDevice(names.of('snap'), [{ start: 0, length: sectors, type: 'snapshot', params: `${dev(real)} ${dev(cow)} P 8` }]);
  return { a, b, real, cow, origin, snap };
}

const sysfsList = (dev: { major: number; minor: number }, dir: 'slaves' | 'holders') =>
  readdirSync(`/sys/dev/block/${dev.major}:${dev.minor}/${dir}`).sort();

describe('buildTree', () => {
  it("matches sysfs's slaves and holders for a snapshot set over loop devices, with sysfs names", () => {
    const set = snapshotSet();
    const tree = buildTree(dm);
    for (const info of [set.real, set.cow, set.origin, set.snap]) {
      const node = tree.find(info)!;
      expect(node).toMatchObject({ dm: true, name: info.name, kernelName: `dm-${info.minor}` });
      expect(node.deps.map((dep) => dep.kernelName).sort()).toEqual(sysfsList(info, 'slaves'));
      expect(node.holders.map((holder) => holder.kernelName).sort()).toEqual(sysfsList(info, 'holders'));
    }
    const leaf = tree.find(set.a)!;
    expect(leaf).toMatchObject({ dm: false, info: undefined, name: set.a.path.slice('/dev/'.length) });
    expect(leaf.holders.map((holder) => holder.name)).toEqual([names.of('origin-real')]);
    expect(tree.tops.filter((node) => node.name.startsWith(names.prefix)).map((node) => node.name).sort()).toEqual([
      names.of('origin'),
      names.of('snap'),
    ]);
  });

  it('with inactive, reads the inactive tables', () => {
    const a = makeLoopDevice(4);
    loops.push(a);
    dm.createDevice(names.of('lv'), [{ start: 0, length: 2048, type: 'zero', params: '' }]);
    dm.load({ name: names.of('lv') }, linear(a, 2048));
    const lv = dm.info({ name: names.of('lv') });
    expect(buildTree(dm).find(lv)!.deps).toEqual([]);
    expect(buildTree(dm, { inactive: true }).find(lv)!.deps.map((dep) => dep.minor)).toEqual([a.minor]);
  });
});

describe('removeTree', () => {
  it('removes the snapshot and its COW, keeping -real (the origin uses it); then the origin and -real', async () => {
    snapshotSet();
    expect(removeTree(dm, byName(names.of('snap')))).toEqual([names.of('snap'), names.of('snap-cow')]);
    expect(dmsetupDevices(names.prefix).map((d) => d.name).sort()).toEqual([names.of('origin'), names.of('origin-real')]);
    expect(await removeTreeAsync(dm, byName(names.of('origin')))).toEqual([names.of('origin'), names.of('origin-real')]);
    expect(dmsetupDevices(names.prefix)).toEqual([]);
  });

  it('refuses a device other devices hold (EBUSY, nothing removed); withHolders takes them first', () => {
    snapshotSet();
    const error = catchDmError(() => removeTree(dm, byName(names.of('origin-real'))));
    expect(error).toMatchObject({ code: 'EBUSY', kind: 'invalid-argument' });
    expect(error.message).toContain(`in use by ${names.of('origin')}, ${names.of('snap')}`);
    expect(dmsetupDevices(names.prefix)).toHaveLength(4);
    const removed = removeTree(dm, byName(names.of('origin-real')), { withHolders: true });
    expect(removed.slice(0, 2).sort()).toEqual([names.of('origin'), names.of('snap')]);
    expect(removed.slice(2)).toEqual([names.of('origin-real'), names.of('snap-cow')]);
    expect(dmsetupDevices(names.prefix)).toEqual([]);
  });
});
