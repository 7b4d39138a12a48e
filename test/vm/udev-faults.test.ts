/**
 * A udev waiter killed with SIGKILL (issue 11). SIGKILL cannot be caught, so a waiting tsdmsetup
 * (like a waiting dmsetup) leaves its cookie's semaphore behind; as with libdm, `udevcomplete_all`
 * removes it (ours or dmsetup's), and the device it was making is whole and removable. udev is
 * made to hold the cookie (95-dm-notify masked) so that the kill lands in the wait.
 */
import { spawn } from 'node:child_process';
import { lstatSync, readlinkSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { cliPath, runDmsetup, runTsdmsetup } from '../helpers/cli.js';
import { deviceNames, removeDevicesWithPrefix } from '../helpers/devices.js';
import { cookieSemaphores, maskRule, settle, useUdevd } from '../helpers/udevd.js';
import { DeviceMapper } from '../../lib/index.js';
import { dmsetupInfo } from './lib-support.js';

const names = deviceNames('udevfault');
useUdevd({ enableForChildren: true });
afterEach(() => {
  runTsdmsetup(['udevcomplete_all', '-y']);
  settle();
  removeDevicesWithPrefix(names.prefix);
  settle();
});

/**
 * Starts `file args` (a create of `name`), waits until it is in its udev wait (its cookie's
 * semaphore exists and the device is resumed: the semaphore is made at DEV_CREATE already), then
 * SIGKILLs it.
 */
async function killedWhileWaiting(file: string, args: string[], name: string): Promise<{ signal: string | null }> {
  const child = spawn(file, args, { stdio: 'ignore', env: process.env });
  const exited = new Promise<{ signal: string | null }>((resolve) => child.on('exit', (_, signal) => resolve({ signal })));
  using dm = DeviceMapper.open({ nodes: false });
  const waiting = (): boolean => {
    const info = dm.tryInfo({ name });
    return Boolean(info?.liveTable && !info.suspended) && cookieSemaphores().length === 1;
  };
  try {
    for (let i = 0; i < 2000 && !waiting() && child.exitCode === null; i++) await new Promise((resolve) => setTimeout(resolve, 25));
    expect(waiting(), 'the process is waiting on its cookie, its device resumed').toBe(true);
  } finally {
    child.kill('SIGKILL');
  }
  return exited;
}

describe('a udev waiter killed with SIGKILL', () => {
  it('tsdmsetup create: the semaphore stays (as dmsetup\'s does), udevcomplete_all removes it, the device is whole and goes', async () => {
    const unmask = maskRule('95-dm-notify.rules');
    const left: Record<string, number> = {};
    try {
      for (const [tool, file, args] of [
        ['tsdmsetup', process.execPath, [cliPath]],
        ['dmsetup', 'dmsetup', []],
      ] as const) {
        const name = names.of(tool);
        expect(await killedWhileWaiting(file, [...args, 'create', name, '--table', '0 8 zero'], name)).toEqual({ signal: 'SIGKILL' });
        left[tool] = cookieSemaphores().length;
        expect(left[tool], tool).toBe(1);
        // The kernel's part was done before the wait: the device is live, and udev made its link.
        expect(dmsetupInfo(name), tool).toMatchObject({ live: true, suspended: false });
        settle();
        expect(lstatSync(`/dev/mapper/${name}`).isSymbolicLink()).toBe(true);
        expect(readlinkSync(`/dev/mapper/${name}`)).toMatch(/^\.\.\/dm-\d+$/);
        const complete = runTsdmsetup(['udevcomplete_all', '-y']);
        expect(complete.status).toBe(0);
        expect(cookieSemaphores(), `after udevcomplete_all (${tool})`).toEqual([]);
      }
    } finally {
      unmask();
    }
    // With udev completing again: removal by either tool leaves nothing, and no semaphore.
    expect(runTsdmsetup(['remove', names.of('tsdmsetup')])).toMatchObject({ status: 0, stderr: '' });
    expect(runDmsetup(['remove', names.of('dmsetup')])).toMatchObject({ status: 0, stderr: '' });
    for (const tool of ['tsdmsetup', 'dmsetup']) {
      expect(dmsetupInfo(names.of(tool))).toBeUndefined();
      expect(() => lstatSync(`/dev/mapper/${names.of(tool)}`)).toThrow(/ENOENT/);
    }
    expect(cookieSemaphores()).toEqual([]);
    console.log(`semaphores left by a SIGKILLed waiter: tsdmsetup ${left['tsdmsetup']}, dmsetup ${left['dmsetup']}; 0 after udevcomplete_all`);
  });
});

describe('an async resume cancelled while its ioctl runs (udev running, cookie mode)', () => {
  it('rejects with ECANCELED and leaves no semaphore: the transaction is ended without its wait', async () => {
    const name = names.of('abort');
    using dm = DeviceMapper.open();
    dm.createDevice(name, [{ start: 0, length: 8, type: 'zero', params: '' }]);
    expect(cookieSemaphores()).toEqual([]);
    for (let round = 0; round < 5; round++) {
      dm.suspend({ name });
      const controller = new AbortController();
      const resuming = dm.resumeAsync({ name }, { signal: controller.signal });
      controller.abort(); // the DEV_SUSPEND ioctl is on its thread by now: the udev wait is what is cut
      await expect(resuming).rejects.toMatchObject({ kind: 'cancelled', code: 'ECANCELED' });
      expect(dmsetupInfo(name), `round ${round}`).toMatchObject({ live: true, suspended: false });
      settle();
      expect(cookieSemaphores(), `round ${round}`).toEqual([]);
    }
    dm.remove({ name });
    expect(cookieSemaphores()).toEqual([]);
  });
});
