/**
 * SIGKILL at each step of a create (issue 11): a process driving the library's public API (create
 * without a table, load, resume, then the node) is killed right after each step, and whatever it
 * left is recovered: by the library (`syncNodes`, `remove`) and by tsdmsetup (`mknodes`,
 * `remove`), leaving no device and no node, after which a create of the same name works. The CLI
 * killed in the middle of its own `create` (as soon as the device exists) recovers the same way.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { existsSync, lstatSync } from 'node:fs';
import { DeviceMapper } from '../../lib/index.js';
import { cliPath, runTsdmsetup } from '../helpers/cli.js';
import { deviceNames, removeDevicesWithPrefix } from '../helpers/devices.js';
import { Child, expectNothingLeft, FIXTURES, PrivateDevDir } from './fault-support.js';
import { dmsetupInfo } from './lib-support.js';

const names = deviceNames('faultkill');
const STEPS = ['create', 'load', 'resume', 'node'] as const;
let devDir: PrivateDevDir;

beforeAll(() => {
  devDir = new PrivateDevDir();
});
afterEach(() => removeDevicesWithPrefix(names.prefix));
afterAll(() => devDir.dispose());

/** What a kill after `step` leaves: dmsetup's view of the device, and whether its node is there. */
const LEFT: Record<(typeof STEPS)[number], { live: boolean; inactive: boolean; node: boolean }> = {
  create: { live: false, inactive: false, node: false },
  load: { live: false, inactive: true, node: false },
  resume: { live: true, inactive: false, node: false },
  node: { live: true, inactive: false, node: true },
};

async function killedAfter(step: string, name: string): Promise<void> {
  const child = new Child(process.execPath, [join(FIXTURES, 'create-steps.mjs'), devDir.path, name, step]);
  try {
    await child.waitFor('stopped');
  } finally {
    await child.kill();
  }
  expect(child.lines.slice(0, -1)).toEqual(STEPS.slice(0, STEPS.indexOf(step as never) + 1));
}

function cli(args: string[]) {
  return runTsdmsetup(args, { env: { DM_DEV_DIR: devDir.path, DM_DISABLE_UDEV: '1' } });
}

describe('a create killed (SIGKILL) after each of its steps', () => {
  for (const step of STEPS) {
    it(`after ${step}: the library's syncNodes + remove recover it, and the name can be made again`, async () => {
      const name = names.of(`lib-${step}`);
      await killedAfter(step, name);
      expect(dmsetupInfo(name)).toMatchObject({ live: LEFT[step].live, inactive: LEFT[step].inactive, suspended: false });
      expect(existsSync(devDir.node(name))).toBe(LEFT[step].node);
      using dm = DeviceMapper.open({ devDir: devDir.path, nodes: true });
      expect(dm.syncNodes([name])).toEqual({ added: LEFT[step].node ? [] : [name], removed: [] });
      expect(lstatSync(devDir.node(name)).isBlockDevice()).toBe(true);
      dm.remove({ name });
      expectNothingLeft(devDir, name);
      const again = dm.createDevice(name, [{ start: 0, length: 8, type: 'zero', params: '' }]);
      expect(again.liveTable).toBe(true);
      expect(lstatSync(devDir.node(name)).rdev).toBeGreaterThan(0);
      dm.remove({ name });
      expectNothingLeft(devDir, name);
    });

    it(`after ${step}: tsdmsetup mknodes + remove recover it, and tsdmsetup create of the name works`, async () => {
      const name = names.of(`cli-${step}`);
      await killedAfter(step, name);
      expect(cli(['mknodes', name])).toMatchObject({ status: 0, stderr: '' });
      expect(lstatSync(devDir.node(name)).isBlockDevice()).toBe(true);
      expect(cli(['remove', name])).toMatchObject({ status: 0, stderr: '' });
      expectNothingLeft(devDir, name);
      expect(cli(['create', name, '--table', '0 8 zero'])).toMatchObject({ status: 0, stderr: '' });
      expect(dmsetupInfo(name)).toMatchObject({ live: true });
      expect(cli(['remove', name])).toMatchObject({ status: 0 });
      expectNothingLeft(devDir, name);
    });
  }
});

describe('tsdmsetup create killed as soon as its device exists', () => {
  it('whatever step it reached, mknodes + remove leave nothing and a re-create works (5 runs)', async () => {
    const caught: string[] = [];
    using dm = DeviceMapper.open({ devDir: devDir.path, nodes: false });
    for (let run = 0; run < 5; run++) {
      const name = names.of(`mid-${run}`);
      const child = new Child(process.execPath, [cliPath, 'create', name, '--table', '0 8 zero'], { DM_DEV_DIR: devDir.path, DM_DISABLE_UDEV: '1' });
      let info: ReturnType<typeof dm.tryInfo>;
      try {
        // Poll the kernel until the CLI's DEV_CREATE has happened (or it has finished), then kill it.
        while (!(info = dm.tryInfo({ name })) && child.process.exitCode === null) await new Promise((resolve) => setImmediate(resolve));
      } finally {
        await child.kill();
      }
      const now = dm.tryInfo({ name });
      caught.push(!now ? 'none' : now.liveTable ? (existsSync(devDir.node(name)) ? 'live+node' : 'live') : now.inactiveTable ? 'loaded' : 'created');
      expect(info ?? now, 'the device was made before the kill').toBeDefined();
      expect(cli(['mknodes', name]).status).toBe(0);
      expect(cli(['remove', name])).toMatchObject({ status: 0 });
      expectNothingLeft(devDir, name);
      expect(cli(['create', name, '--table', '0 8 zero']).status).toBe(0);
      expect(cli(['remove', name]).status).toBe(0);
      expectNothingLeft(devDir, name);
    }
    console.log(`tsdmsetup create killed at: ${caught.join(', ')}`);
    expect(caught).toHaveLength(5);
  });
});
