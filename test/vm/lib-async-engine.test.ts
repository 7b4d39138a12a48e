/**
 * The async engine against the real kernel: pending event waits share one poll(2) thread, so they
 * starve nothing (libuv's pool, other ioctls); close() and AbortSignal end them with ECANCELED and
 * the process can exit; events() streams the changes of several devices.
 */
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { byDev, DeviceMapper, isDmError, type DeviceEvent } from '../../lib/index.js';
import { deviceNames, removeDevicesWithPrefix } from '../helpers/devices.js';

const names = deviceNames('async');
const zero = [{ start: 0, length: 8, type: 'zero', params: '' }];
const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

afterEach(() => removeDevicesWithPrefix(names.prefix));

async function timed<T>(run: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await run();
  return { value, ms: performance.now() - start };
}

describe('async event waits', () => {
  it('100 pending waits leave fs.promises and other async ioctls free; an event ends them, close() ends the rest', async () => {
    const dm = DeviceMapper.open();
    try {
      const info = dm.createDevice(names.of('w'), zero);
      // Warm up what is measured below, so the times say "not starved", not "first use".
      await readFile('/proc/version', 'utf8');
      await dm.infoAsync(byDev(info));
      await dm.tableAsync(byDev(info));
      const settled: string[] = [];
      const waits = Array.from({ length: 100 }, (_, i) =>
        dm.waitEventAsync(byDev(info), info.eventNr).then(
          (result) => settled.push(`event ${result.info.eventNr}`),
          (error: unknown) => settled.push(isDmError(error) ? error.code : String(error)),
        ),
      );
      await pause(200); // every wait is registered and the poll thread asleep
      const file = await timed(() => readFile('/proc/version', 'utf8'));
      const other = await timed(() => dm.infoAsync(byDev(info)));
      const table = await timed(() => dm.tableAsync(byDev(info)));
      expect(file.ms).toBeLessThan(50);
      expect(other.ms).toBeLessThan(50);
      expect(table.ms).toBeLessThan(50);
      expect(other.value.name).toBe(names.of('w'));
      expect(settled).toEqual([]); // still waiting
      dm.rename(byDev(info), names.of('w2')); // a rename counts an event on 6.1
      await Promise.all(waits);
      expect(new Set(settled)).toEqual(new Set([`event ${info.eventNr + 1}`]));

      const more = Array.from({ length: 10 }, () => dm.waitEventAsync(byDev(info), info.eventNr + 1).catch((error: unknown) => error));
      await pause(100);
      dm.close();
      for (const error of await Promise.all(more)) expect(isDmError(error, 'ECANCELED')).toBe(true);
    } finally {
      dm.close();
    }
  });

  it('an AbortSignal ends one wait with ECANCELED and leaves the others waiting', async () => {
    const dm = DeviceMapper.open();
    try {
      const info = dm.createDevice(names.of('abort'), zero);
      const controller = new AbortController();
      const aborted = dm.waitEventAsync(byDev(info), info.eventNr, { signal: controller.signal }).catch((error: unknown) => error);
      const kept = dm.waitEventAsync(byDev(info), info.eventNr);
      await pause(100);
      controller.abort();
      const error = await aborted;
      expect(isDmError(error, 'ECANCELED')).toBe(true);
      dm.rename(byDev(info), names.of('abort2'));
      expect((await kept).info.name).toBe(names.of('abort2'));
    } finally {
      dm.close();
    }
  });

  it('a process with pending waits exits once it closes its handle', () => {
    const name = names.of('exit');
    const script = `
      import { DeviceMapper } from ${JSON.stringify(join(process.cwd(), 'dist', 'lib', 'index.js'))};
      const dm = DeviceMapper.open();
      const info = dm.createDevice(${JSON.stringify(name)}, [{ start: 0, length: 8, type: 'zero', params: '' }]);
      const waits = Array.from({ length: 20 }, () => dm.waitEventAsync({ major: info.major, minor: info.minor }, info.eventNr).catch((e) => e.code));
      setTimeout(async () => {
        dm.close();
        const codes = new Set(await Promise.all(waits));
        console.log([...codes].join(','));
      }, 300);`;
    // The library keeps the nodes (no udev), whatever another test file left running.
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, DM_DISABLE_UDEV: '1' },
    });
    expect(child.error).toBeUndefined();
    expect({ status: child.status, stdout: child.stdout.trim(), stderr: child.stderr }).toEqual({ status: 0, stdout: 'ECANCELED', stderr: '' });
  });
});

describe('events()', () => {
  it('streams renames of three devices (as renamed), a device added and one removed, and ends on abort', async () => {
    const dm = DeviceMapper.open();
    try {
      const devices = ['a', 'b', 'c'].map((suffix) => dm.createDevice(names.of(suffix), zero));
      const controller = new AbortController();
      const seen: DeviceEvent[] = [];
      const stream = dm.events({ signal: controller.signal });
      const reading = (async () => {
        for await (const event of stream) seen.push(event);
      })();
      await pause(200);
      for (const [i, info] of devices.entries()) dm.rename(byDev(info), names.of(`renamed${i}`));
      const added = await dm.createDeviceAsync(names.of('d'), zero);
      dm.rename(byDev(added), names.of('d2'));
      await dm.removeAsync(byDev(devices[0]!));
      dm.rename(byDev(devices[1]!), names.of('again'));
      for (let i = 0; i < 50 && !seen.some((e) => e.kind === 'removed'); i++) await pause(50);
      controller.abort();
      await reading;
      const ours = seen.filter((e) => e.device.name.startsWith(names.prefix)).map((e) => `${e.kind} ${e.device.name}`);
      for (const i of [0, 1, 2]) expect(ours).toContain(`renamed ${names.of(`renamed${i}`)}`);
      // Seen under the name it had at the look that found it.
      expect(seen.some((e) => e.kind === 'added' && e.device.major === added.major && e.device.minor === added.minor)).toBe(true);
      expect(ours).toContain(`removed ${names.of('renamed0')}`);
    } finally {
      dm.close();
    }
  });

  it('ends when the handle closes', async () => {
    const dm = DeviceMapper.open();
    const stream = dm.events();
    const reading = (async () => {
      let count = 0;
      for await (const _ of stream) count++;
      return count;
    })();
    await pause(200);
    dm.close();
    expect(await reading).toBeGreaterThanOrEqual(0);
    expect(() => dm.events()).toThrow(/closed/);
  });
});
