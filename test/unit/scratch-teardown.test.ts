/**
 * The test kit's logic on the host: the order of its device-mapper teardown (a scripted device
 * list stands in for the kernel: the plan only lists and asks for removals) and its refusals. That
 * the kit really removes devices and loop devices is proven in test/vm/loop.test.ts.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DeviceMapper } from '../../lib/device-mapper.js';
import { DmError } from '../../lib/errors.js';
import { teardownPlan, type Leftover } from '../../lib/testing/teardown.js';
import { ScratchKit } from '../../lib/testing/index.js';

/** A device list where `holds[a] = b` means a holds b open (b cannot go before a). */
function fakeDm(names: string[], holds: Record<string, string> = {}, busyForever: string[] = []) {
  const present = new Set(names);
  const removed: string[] = [];
  const dm = { list: () => [...present].sort().map((name) => ({ name })) } as unknown as DeviceMapper;
  const remove = (name: string, deferred: boolean): unknown => {
    if (!present.has(name)) return new DmError('gone', { kind: 'ioctl', code: 'ENXIO' });
    const heldBy = Object.entries(holds).find(([holder, held]) => held === name && present.has(holder));
    if (heldBy || busyForever.includes(name)) {
      if (deferred) return undefined; // scheduled; the device stays while in use
      return new DmError(`${name} busy`, { kind: 'ioctl', code: 'EBUSY' });
    }
    present.delete(name);
    removed.push(name);
    return undefined;
  };
  return { dm, remove, removed, present };
}

function run(fake: ReturnType<typeof fakeDm>, prefix: string): { leftovers: Leftover[]; steps: string[] } {
  const plan = teardownPlan(fake.dm, prefix);
  const steps: string[] = [];
  let step = plan.next();
  while (!step.done) {
    const s = step.value;
    if ('sleep' in s) {
      steps.push('sleep');
      step = plan.next(undefined);
    } else {
      steps.push(`${s.deferred ? 'defer' : 'remove'} ${s.remove}`);
      step = plan.next(fake.remove(s.remove, s.deferred));
    }
  }
  return { leftovers: step.value, steps };
}

describe('teardown plan', () => {
  it('removes a stack holder first, in rounds, and never touches names outside the prefix', () => {
    // p-a holds p-b, p-b holds p-c: listing order is the worst one.
    const fake = fakeDm(['p-c', 'p-b', 'p-a', 'q-other'], { 'p-a': 'p-b', 'p-b': 'p-c' });
    const { leftovers, steps } = run(fake, 'p-');
    expect(leftovers).toEqual([]);
    expect(fake.removed).toEqual(['p-a', 'p-b', 'p-c']);
    expect([...fake.present]).toEqual(['q-other']);
    expect(steps.some((s) => s.includes('q-other'))).toBe(false);
  });

  it('a device that stays busy gets a deferred removal and is reported with its error', () => {
    const fake = fakeDm(['p-held', 'p-free'], {}, ['p-held']);
    const { leftovers, steps } = run(fake, 'p-');
    expect(fake.removed).toEqual(['p-free']);
    expect(steps.filter((s) => s === 'sleep')).toHaveLength(40);
    expect(steps.at(-1)).toBe('defer p-held');
    expect(leftovers).toHaveLength(1);
    expect(leftovers[0]).toMatchObject({ name: 'p-held', deferred: true, error: { code: 'EBUSY' } });
  });

  it('removes by device number when the list gives it (a name like `a/b` read back cannot be addressed)', () => {
    const dm = { list: () => [{ name: 'p-a/b', major: 254, minor: 3 }] } as unknown as DeviceMapper;
    const plan = teardownPlan(dm, 'p-');
    expect(plan.next().value).toEqual({ remove: 'p-a/b', dev: { major: 254, minor: 3 }, deferred: false });
  });

  it('nothing under the prefix: no step at all', () => {
    const { leftovers, steps } = run(fakeDm(['other']), 'p-');
    expect(steps).toEqual([]);
    expect(leftovers).toEqual([]);
  });
});

describe('ScratchKit refusals', () => {
  it.each([
    ['ab', /too short/],
    ['a/b-', /contains "\/"/],
    ['', /empty/],
  ])('prefix %o', (prefix, message) => {
    expect(() => new ScratchKit({ prefix })).toThrow(message);
    try {
      new ScratchKit({ prefix });
    } catch (error) {
      expect(error).toMatchObject({ name: 'DmError', kind: 'invalid-argument', code: 'EINVAL' });
    }
  });

  it('options that are not an object', () => {
    expect(() => new ScratchKit(null as never)).toThrow(DmError);
  });

  it('name() needs a prefix; file() needs a size in whole sectors; the directory goes with cleanup', () => {
    const kit = new ScratchKit();
    expect(() => kit.name('x')).toThrow(/no device-name prefix/);
    for (const size of [0, -1, 1e-6, Number.NaN]) expect(() => kit.file(size)).toThrow(/positive number of MiB/);
    const file = kit.file(0.5);
    expect(file.startsWith(kit.dir)).toBe(true);
    const dir = kit.dir;
    kit.cleanupSync();
    expect(existsSync(dir)).toBe(false);
    expect(kit.dir).not.toBe(dir); // a fresh one on next use
    kit.cleanupSync();
  });
});
