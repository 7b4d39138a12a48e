/**
 * Monitor mode (lib/udev/monitor.ts) with a real systemd-udevd: waits for udevd's processed event
 * of each resume, rename and remove on the uevent netlink socket, with no semaphore at any time;
 * hears the event of a real `dmsetup create` with its DM_COOKIE; times out when no event comes;
 * and policy.ts picks it by itself in an unshared IPC namespace, where cookies cannot work.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readlinkSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DmFlag, DmUdevFlag } from '../../native-defs/index.js';
import { MonitorSync } from '../../lib/udev/monitor.js';
import { chooseUdevSync, DISABLED_WHILE_RUNNING } from '../../lib/udev/policy.js';
import { UeventSocket } from '../../lib/udev/uevent-socket.js';
import { runDmsetup } from '../helpers/cli.js';
import { deviceNames, removeDevicesWithPrefix } from '../helpers/devices.js';
import { rawIoctl, rawSuspend } from '../helpers/raw-dm.js';
import { cookieSemaphores, settle, useUdevd } from '../helpers/udevd.js';

const names = deviceNames('udevmon');
const A = names.of('a');
const B = names.of('b');
const FALLBACK = DmUdevFlag.DISABLE_LIBRARY_FALLBACK;
useUdevd();

afterEach(() => {
  removeDevicesWithPrefix(names.prefix);
  settle();
});

function udevLink(name: string): string | undefined {
  const path = `/dev/mapper/${name}`;
  return existsSync(path) ? readlinkSync(path) : undefined;
}

describe('monitor transactions', () => {
  beforeEach(() => {
    expect(runDmsetup(['create', A, '--table', '0 8 zero']).status).toBe(0);
  });

  it('resume, rename, remove: udev’s links at return, and never a semaphore', () => {
    const sync = new MonitorSync();
    rawSuspend(A);
    const eventNr = sync.begin('resume', FALLBACK, { name: A });
    // A flags-only cookie: udev's `dmsetup udevcomplete` has nothing to signal.
    expect(eventNr).toBe(0x00600000);
    const reply = rawIoctl('DEV_SUSPEND', { name: A, eventNr });
    expect(cookieSemaphores()).toEqual([]);
    sync.end(reply.flags, reply);
    expect(sync.waitSync(20_000)).toMatchObject({ outcome: 'completed', cookie: eventNr });
    expect(udevLink(A)).toBe(`../dm-${reply.minor}`);
    expect(existsSync(`/dev/disk/by-id/dm-name-${A}`)).toBe(true);

    sync.end(rawIoctl('DEV_RENAME', { name: A, eventNr: sync.begin('rename', FALLBACK), newName: B }).flags, reply);
    expect(cookieSemaphores()).toEqual([]);
    expect(sync.waitSync(20_000)).toMatchObject({ outcome: 'completed' });
    expect([udevLink(A), udevLink(B)]).toEqual([undefined, `../dm-${reply.minor}`]);

    sync.end(rawIoctl('DEV_REMOVE', { name: B, eventNr: sync.begin('remove', FALLBACK) }).flags, reply);
    expect(sync.waitSync(20_000)).toMatchObject({ outcome: 'completed' });
    expect(udevLink(B)).toBeUndefined();
    expect(cookieSemaphores()).toEqual([]);
  });

  it('the asynchronous wait, matched by name', async () => {
    const sync = new MonitorSync();
    rawSuspend(A);
    const reply = rawIoctl('DEV_SUSPEND', { name: A, eventNr: sync.begin('resume', FALLBACK, { name: A }) });
    sync.end(reply.flags);
    expect(await sync.wait(20_000)).toMatchObject({ outcome: 'completed' });
    expect(udevLink(A)).toBe(`../dm-${reply.minor}`);
  });

  it('a promised event that never comes: time-out with a warning, nothing to clean', () => {
    const sync = new MonitorSync();
    sync.begin('resume', FALLBACK, { name: names.of('never') });
    sync.end(DmFlag.UEVENT_GENERATED);
    const startedAt = Date.now();
    const result = sync.waitSync(1000);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(950);
    expect(result.outcome).toBe('timeout');
    expect(result.warning).toBe('udev did not process the event of cookie 0x00600000 in time (1 s).');
  });

  it('no uevent (resume of a live device): nothing to wait for', () => {
    const sync = new MonitorSync();
    sync.end(rawIoctl('DEV_SUSPEND', { name: A, eventNr: sync.begin('resume', FALLBACK, { name: A }) }).flags);
    expect(sync.waitSync(20_000)).toEqual({ outcome: 'skipped', cookie: 0 });
  });
});

describe('the uevent socket', () => {
  it('hears udevd’s event for a real `dmsetup create`, with the DM_COOKIE dmsetup sent', async () => {
    const socket = new UeventSocket();
    try {
      const child = spawn('dmsetup', ['create', A, '--table', '0 8 zero'], { stdio: 'ignore' });
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      let event: Map<string, string> | undefined;
      for (const end = Date.now() + 30_000; !event && Date.now() < end; ) {
        await socket.waitReadableOffLoop(250);
        for (let p = socket.receive(); p && !event; p = socket.receive()) {
          if (p.get('DM_NAME') === A && p.get('ACTION') === 'change') event = p;
        }
      }
      expect(await exited).toBe(0);
      expect(event?.get('SUBSYSTEM')).toBe('block');
      const cookie = Number(event?.get('DM_COOKIE'));
      // dmsetup's resume inside create: udev makes the nodes (FALLBACK), PRIMARY_SOURCE, and its semaphore's base.
      expect((cookie >>> 16) & (FALLBACK | DmUdevFlag.PRIMARY_SOURCE)).toBe(FALLBACK | DmUdevFlag.PRIMARY_SOURCE);
      expect(cookie & 0xffff).not.toBe(0);
      expect(event?.get('DEVNAME')).toMatch(/^\/dev\/dm-\d+$/);
      expect(event?.get('DEVLINKS')).toContain(`/dev/mapper/${A}`);
      expect(cookieSemaphores()).toEqual([]);
    } finally {
      socket.close();
    }
  });
});

describe('choosing the mode', () => {
  it('udev running, our IPC namespace: cookie; DM_DISABLE_UDEV: off, with libdm’s warning', () => {
    expect(chooseUdevSync()).toEqual({ mode: 'cookie', warnings: [], udevRunning: true, udevDisabled: false });
    expect(chooseUdevSync({ env: { DM_DISABLE_UDEV: '1' } })).toEqual({
      mode: 'off',
      warnings: [DISABLED_WHILE_RUNNING],
      udevRunning: true,
      udevDisabled: true,
    });
  });

  it('unshare --ipc: monitor mode by itself, one warning, the link in place, no semaphore anywhere', () => {
    expect(runDmsetup(['create', A, '--table', '0 8 zero']).status).toBe(0);
    const run = spawnSync('unshare', ['--ipc', process.execPath, 'test/vm/fixtures/udev-resume.mjs', A, 'auto', 'sync', '30000'], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ mode: 'monitor', outcome: 'completed' });
    expect(run.stderr.split('\n').filter((line) => line.includes('IPC namespace'))).toHaveLength(1);
    expect(udevLink(A)).toMatch(/^\.\.\/dm-\d+$/);
    expect(cookieSemaphores()).toEqual([]);
  });
});
