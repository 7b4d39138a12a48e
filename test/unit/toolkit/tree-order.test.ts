/**
 * The dependency tree and its orders from scripted deps (no kernel): deps and holders, DM and
 * non-DM nodes, the tops and bottoms, removal holders first (and what stays), a cycle refused,
 * and a transaction's load/suspend/resume orders (libdm's deptree order).
 */
import { describe, expect, it } from 'vitest';
import { DmError, ordered, planTransaction, removalOrder, treeFrom, type DevNumber, type PlanMember } from '../../../lib/index.js';
import { liveDevice } from '../../helpers/device-info.js';

const loop = (minor: number): DevNumber => ({ major: 7, minor });
const dm = (minor: number): DevNumber => ({ major: 254, minor });

// An LVM-style snapshot set: origin and snap over origin-real; snap over cow; real and cow on loops.
// Then a device `top` stacked on the origin, and `alone` with no table deps.
const SYSTEM: Record<number, { name: string; deps: DevNumber[] }> = {
  0: { name: 'vg-origin-real', deps: [loop(0)] },
  1: { name: 'vg-snap-cow', deps: [loop(1)] },
  2: { name: 'vg-origin', deps: [dm(0)] },
  3: { name: 'vg-snap', deps: [dm(0), dm(1)] },
  4: { name: 'top', deps: [dm(2)] },
  5: { name: 'alone', deps: [] },
};
const listed = [5, 2, 0, 3, 1, 4].map(dm);
const tree = treeFrom(
  listed,
  (dev) => {
    const device = SYSTEM[dev.minor];
    return device && dev.major === 254 ? { info: liveDevice(device.name, dev.minor), deps: device.deps } : undefined;
  },
  { kernelNames: false },
);
const named = (name: string) => tree.findByName(name)!;
const names = (nodes: readonly { name: string }[]) => nodes.map((node) => node.name);

describe('treeFrom', () => {
  it('links deps and holders both ways, with non-DM leaves', () => {
    expect(names(named('vg-snap').deps)).toEqual(['vg-origin-real', 'vg-snap-cow']);
    expect(names(named('vg-origin-real').holders)).toEqual(['vg-origin', 'vg-snap']);
    const leaf = tree.find(loop(0))!;
    expect(leaf).toMatchObject({ dm: false, info: undefined, major: 7, minor: 0 });
    expect(names(leaf.holders)).toEqual(['vg-origin-real']);
  });

  it('lists DM devices in the order given, then leaves as found; tops use nothing above, bottoms nothing below', () => {
    expect(tree.nodes.filter((n) => n.dm).map((n) => n.minor)).toEqual([5, 2, 0, 3, 1, 4]);
    expect(names(tree.tops)).toEqual(['alone', 'vg-snap', 'top']);
    expect(tree.bottoms.map((n) => `${n.major}:${n.minor}`)).toEqual(['254:5', '7:0', '7:1']);
  });

  it('keeps a device whose deps are unknown (vanished meanwhile) without info or deps', () => {
    const partial = treeFrom([dm(0), dm(9)], (dev) => (dev.minor === 0 ? { info: liveDevice('a', 0), deps: [loop(0)] } : undefined), {
      kernelNames: false,
    });
    expect(partial.find(dm(9))).toMatchObject({ dm: true, info: undefined, deps: [] });
  });
});

describe('removalOrder', () => {
  it('removes holders first and takes along what nothing else uses', () => {
    expect(names(removalOrder(named('vg-snap')))).toEqual(['vg-snap', 'vg-snap-cow']);
  });

  it('keeps a device still used from outside the set (origin-real is used by the origin too)', () => {
    expect(names(removalOrder(named('top')))).toEqual(['top', 'vg-origin']);
    expect(names(removalOrder(named('vg-origin'), { withHolders: true }))).toEqual(['top', 'vg-origin']);
    expect(names(removalOrder(named('vg-origin')))).toEqual(['vg-origin']);
  });

  it('takes the whole stack from its bottom with withHolders, each device after all its holders', () => {
    const order = names(removalOrder(named('vg-origin-real'), { withHolders: true }));
    expect(order).toEqual(['top', 'vg-origin', 'vg-snap', 'vg-origin-real', 'vg-snap-cow']);
    for (const [index, name] of order.entries()) {
      for (const holder of named(name).holders) expect(order.indexOf(holder.name)).toBeLessThan(index);
    }
  });

  it('never removes a non-DM device', () => {
    expect(removalOrder(named('vg-snap-cow'), { withHolders: true }).every((node) => node.dm)).toBe(true);
  });
});

describe('ordered', () => {
  it('respects dependencies, then rank, then the given order', () => {
    const deps: Record<string, string[]> = { a: ['c'], b: [], c: [], d: ['b'] };
    expect(ordered(['a', 'b', 'c', 'd'], (x) => deps[x]!)).toEqual(['b', 'c', 'a', 'd']);
    expect(ordered(['a', 'b', 'c', 'd'], (x) => deps[x]!, { rank: (x) => (x === 'b' ? 1 : 0) })).toEqual(['c', 'a', 'b', 'd']);
  });

  it('refuses a cycle with a DmError naming the devices on it', () => {
    const deps: Record<string, string[]> = { a: ['b'], b: ['a'], c: [] };
    let error: unknown;
    try {
      ordered(['a', 'b', 'c'], (x) => deps[x]!);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DmError);
    expect(error).toMatchObject({ kind: 'invalid-argument', code: 'EINVAL' });
    expect((error as DmError).message).toBe('The devices a, b depend on each other in a cycle');
  });
});

describe('planTransaction', () => {
  const row = (type: string, params: string) => [{ start: 0, length: 2048, type, params }];
  // A snapshot of the live origin 254:2 (linear on 7:0): new -real (254:10), cow (254:11), snap (254:12).
  const origin: PlanMember = { name: 'vg-origin', kind: 'reload', ...dm(2), rows: row('snapshot-origin', '254:10'), below: [loop(0)] };
  const real: PlanMember = { name: 'vg-origin-real', kind: 'create', ...dm(10), rows: row('linear', '7:0 0') };
  const cow: PlanMember = { name: 'vg-snap-cow', kind: 'create', ...dm(11), rows: row('linear', '/dev/loop1 0') };
  const snap: PlanMember = { name: 'vg-snap', kind: 'create', ...dm(12), rows: row('snapshot', '/dev/mapper/vg-origin-real 254:11 P 8') };

  it('a snapshot of a live origin: used devices first, resumed early; the origin resumed after its snapshot', () => {
    const plan = planTransaction([origin, snap, real, cow]);
    expect(names(plan.load)).toEqual(['vg-origin-real', 'vg-origin', 'vg-snap-cow', 'vg-snap']);
    expect(names(plan.resumeEarly)).toEqual(['vg-origin-real', 'vg-snap-cow']);
    expect(names(plan.suspend)).toEqual(['vg-origin']);
    expect(names(plan.resume)).toEqual(['vg-snap', 'vg-origin']);
  });

  it('a stacked volume extended: holders suspended first, resumed last, also through a device outside the set', () => {
    const lower: PlanMember = { name: 'lv', kind: 'reload', ...dm(1), rows: row('linear', '7:0 0'), below: [loop(0)] };
    const upper: PlanMember = { name: 'crypt', kind: 'reload', ...dm(3), rows: row('linear', '254:2 0'), below: [dm(2), dm(1), loop(0)] };
    const plan = planTransaction([lower, upper]);
    expect(names(plan.suspend)).toEqual(['crypt', 'lv']);
    expect(names(plan.resume)).toEqual(['lv', 'crypt']);
    expect(names(plan.load)).toEqual(['lv', 'crypt']);
  });

  it('an explicit priority orders free choices', () => {
    const a: PlanMember = { name: 'a', kind: 'create', ...dm(20), rows: row('zero', ''), priority: 2 };
    const b: PlanMember = { name: 'b', kind: 'create', ...dm(21), rows: row('zero', '') };
    expect(names(planTransaction([a, b]).resume)).toEqual(['b', 'a']);
  });
});
