/**
 * The cookie seam (lib/udev/sync.ts) with a real systemd-udevd and Debian's rules: begin/end
 * around real resume, rename and remove ioctls (sent raw, so only the seam is under test), then
 * the wait. udev's /dev/mapper symlink is there when the wait returns; no semaphore is left, also
 * when udev never completes (95-dm-notify masked: the bounded wait times out), when a task makes
 * no uevent or fails, and when the waiter gets SIGTERM or SIGINT (real signals, separate process).
 */
import { spawn } from 'node:child_process';
import { existsSync, readlinkSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DmFlag, DmUdevFlag } from '../../native-defs/index.js';
import { CookieSync } from '../../lib/udev/sync.js';
import { runDmsetup } from '../helpers/cli.js';
import { deviceNames, removeDevicesWithPrefix } from '../helpers/devices.js';
import { rawIoctl, rawSuspend } from '../helpers/raw-dm.js';
import { cookieSemaphores, maskRule, settle, useUdevd } from '../helpers/udevd.js';

const names = deviceNames('udevsync');
const A = names.of('a');
const B = names.of('b');
const FALLBACK = DmUdevFlag.DISABLE_LIBRARY_FALLBACK;
useUdevd();

beforeEach(() => {
  // dmsetup (with udev sync) makes the device: its node is udev's symlink.
  expect(runDmsetup(['create', A, '--table', '0 8 zero']).status).toBe(0);
});

afterEach(() => {
  runDmsetup(['udevcomplete_all', '-y']);
  removeDevicesWithPrefix(names.prefix);
  settle();
});

/** A udevcookies line whose value column is 1. */
const VALUE_ONE = /^0x\S+ +\d+ +1 /m;

/** The device's node is udev's symlink to its dm-N. */
function udevLink(name: string): string | undefined {
  const path = `/dev/mapper/${name}`;
  return existsSync(path) ? readlinkSync(path) : undefined;
}

describe('cookie transactions with udev', () => {
  it('resume, rename, remove: each wait completes with udev’s links in place, no semaphore left', () => {
    const sync = new CookieSync();
    rawSuspend(A);
    const resume = sync.begin('resume', FALLBACK);
    expect(resume >>> 16).toBe(FALLBACK | DmUdevFlag.PRIMARY_SOURCE);
    expect(cookieSemaphores()).toHaveLength(1);
    const reply = rawIoctl('DEV_SUSPEND', { name: A, eventNr: resume });
    expect(reply.flags & DmFlag.UEVENT_GENERATED).toBeTruthy();
    sync.end(reply.flags);
    expect(sync.waitSync()).toMatchObject({ outcome: 'completed' });
    expect(udevLink(A)).toBe(`../dm-${reply.minor}`);
    expect(existsSync(`/dev/disk/by-id/dm-name-${A}`)).toBe(true);
    expect(cookieSemaphores()).toEqual([]);

    const rename = sync.begin('rename', FALLBACK);
    sync.end(rawIoctl('DEV_RENAME', { name: A, eventNr: rename, newName: B }).flags);
    expect(sync.waitSync()).toMatchObject({ outcome: 'completed' });
    expect([udevLink(A), udevLink(B)]).toEqual([undefined, `../dm-${reply.minor}`]);

    const remove = sync.begin('remove', FALLBACK);
    sync.end(rawIoctl('DEV_REMOVE', { name: B, eventNr: remove }).flags);
    expect(sync.waitSync()).toMatchObject({ outcome: 'completed' });
    expect([udevLink(B), existsSync(`/dev/disk/by-id/dm-name-${B}`)]).toEqual([undefined, false]);
    expect(cookieSemaphores()).toEqual([]);
  });

  it('the asynchronous wait, with the event loop free meanwhile', async () => {
    const sync = new CookieSync();
    rawSuspend(A);
    sync.end(rawIoctl('DEV_SUSPEND', { name: A, eventNr: sync.begin('resume', FALLBACK) }).flags);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const result = await sync.wait();
    clearInterval(timer);
    expect(result.outcome).toBe('completed');
    expect(ticks).toBeGreaterThan(0);
    expect(udevLink(A)).toMatch(/^\.\.\/dm-\d+$/);
    expect(cookieSemaphores()).toEqual([]);
  });

  it('a task that makes no uevent (resume of a live device) and a failed one complete their own reference', () => {
    const sync = new CookieSync();
    const reply = rawIoctl('DEV_SUSPEND', { name: A, eventNr: sync.begin('resume', FALLBACK) });
    expect(reply.flags & DmFlag.UEVENT_GENERATED).toBe(0);
    sync.end(reply.flags);
    sync.begin('remove', FALLBACK);
    expect(() => rawIoctl('DEV_REMOVE', { name: names.of('missing') })).toThrow(/errno 6/);
    sync.cancel();
    const started = Date.now();
    expect(sync.waitSync()).toMatchObject({ outcome: 'completed' });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(cookieSemaphores()).toEqual([]);
  });

  it('a joined cookie (--udevcookie): +1 per task, no wait, not removed; the caller releases it', () => {
    const cookie = Number(runDmsetup(['udevcreatecookie']).stdout.trim());
    const sync = new CookieSync({ joinCookie: cookie });
    rawSuspend(A);
    const eventNr = sync.begin('resume', FALLBACK);
    expect(eventNr & 0xffff).toBe(cookie & 0xffff);
    sync.end(rawIoctl('DEV_SUSPEND', { name: A, eventNr }).flags);
    expect(sync.waitSync()).toEqual({ outcome: 'skipped', cookie });
    expect(cookieSemaphores()).toHaveLength(1);
    expect(runDmsetup(['udevreleasecookie', `0x${cookie.toString(16)}`]).status).toBe(0);
    expect(cookieSemaphores()).toEqual([]);
  });
});

describe('udev that never completes (95-dm-notify masked)', () => {
  let unmask: (() => void) | undefined;
  beforeEach(() => {
    unmask = maskRule('95-dm-notify.rules');
  });
  afterEach(() => unmask?.());

  it.each(['waitSync', 'wait'] as const)('%s times out: a warning naming the cookie, the semaphore removed', async (how) => {
    const sync = new CookieSync();
    rawSuspend(A);
    sync.end(rawIoctl('DEV_SUSPEND', { name: A, eventNr: sync.begin('resume', FALLBACK) }).flags);
    const started = Date.now();
    const result = how === 'wait' ? await sync.wait(1500) : sync.waitSync(1500);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result.outcome).toBe('timeout');
    expect(result.warning).toMatch(/^udev did not complete cookie 0x0D4D[0-9A-F]{4} in time \(1\.5 s\); its semaphore was removed\.$/);
    expect(result.warning).toContain(result.cookie.toString(16).toUpperCase());
    expect(cookieSemaphores()).toEqual([]);
  });

  /** Runs the resume fixture, signals it once it waits, and returns how it ended. */
  async function signalledWaiter(args: string[], signal: NodeJS.Signals): Promise<{ code: number | null; signal: string | null; stderr: string }> {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('exit', (code, sig) => resolve({ code, signal: sig })));
    // The waiter has dropped its reference (value 1) once it waits, with its trap set.
    for (const end = Date.now() + 30_000; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
      if (stderr.includes('waiting') && VALUE_ONE.test(runDmsetup(['udevcookies']).stdout)) break;
    }
    child.kill(signal);
    return { ...(await exited), stderr };
  }

  it.each([
    ['sync', 'SIGTERM'],
    ['sync', 'SIGINT'],
    ['async', 'SIGTERM'],
    ['async', 'SIGINT'],
  ] as const)('a %s wait killed by %s removes its semaphore, then dies of the signal', async (wait, signal) => {
    const ended = await signalledWaiter(['test/vm/fixtures/udev-resume.mjs', A, 'cookie', wait, '60000'], signal);
    expect(ended.stderr).toMatch(/waiting 0x60[0-9a-f]{4}/);
    expect(ended).toMatchObject({ code: null, signal });
    expect(cookieSemaphores()).toEqual([]);
  });

  it('tsdmsetup udevreleasecookie killed by SIGTERM while it waits leaves no semaphore', async () => {
    const cookie = runDmsetup(['udevcreatecookie']).stdout.trim();
    rawSuspend(A);
    expect(runDmsetup(['--udevcookie', cookie, 'resume', A]).status).toBe(0);
    const child = spawn(process.execPath, ['dist/cli/bin.js', 'udevreleasecookie', cookie], { stdio: 'ignore' });
    const exited = new Promise<string | null>((resolve) => child.on('exit', (_, sig) => resolve(sig)));
    for (const end = Date.now() + 30_000; Date.now() < end && !VALUE_ONE.test(runDmsetup(['udevcookies']).stdout); ) {
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGTERM');
    expect(await exited).toBe('SIGTERM');
    expect(cookieSemaphores()).toEqual([]);
  });
});
