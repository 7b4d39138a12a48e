/**
 * tsdmsetup's udev commands against Debian's dmsetup 1.02.185 with a real systemd-udevd and
 * Debian's rules in the guest: the same stdout, stderr and exit status (a random cookie value
 * replaced by a placeholder where each tool made its own), cookies made by one tool completed and
 * released by the other, and no semaphore left (`ipcs -s`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readlinkSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runDmsetup, runTsdmsetup, type ProcessResult } from '../helpers/cli.js';
import { deviceNames, removeDevicesWithPrefix } from '../helpers/devices.js';
import { cookieSemaphores, maskRule, settle, startUdevd, stopUdevd, useOurRules } from '../helpers/udevd.js';

const names = deviceNames('udevcli');
const DEV = names.of('a');
let started = false;

beforeAll(() => {
  started = startUdevd();
});

afterEach(() => {
  runDmsetup(['udevcomplete_all', '-y']);
  removeDevicesWithPrefix(names.prefix);
  settle();
});

afterAll(() => stopUdevd(started));

/** Both tools, the same arguments. */
function both(args: string[], env: NodeJS.ProcessEnv = {}): [ProcessResult, ProcessResult] {
  return [runTsdmsetup(args, { env }), runDmsetup(args, { env })];
}

/** A cookie made by the real dmsetup (value 1). */
function dmsetupCookie(): string {
  const made = runDmsetup(['udevcreatecookie']);
  expect(made.status).toBe(0);
  expect(made.stdout).toMatch(/^0x0D4D[0-9A-F]{4}\n$/);
  return made.stdout.trim();
}

/** `text` with the cookie in every spelling (0x%08X, 0x%x, decimal) replaced by COOKIE. */
function generic(result: ProcessResult, cookie: string): ProcessResult {
  const value = Number(cookie);
  const strip = (text: string): string =>
    text.replaceAll(cookie, 'COOKIE').replaceAll(`0x${value.toString(16)}`, 'COOKIE').replaceAll(String(value), 'COOKIE').replace(/semid \d+/g, 'semid N');
  return { status: result.status, stdout: strip(result.stdout), stderr: strip(result.stderr) };
}

describe('udevflags and udevcomplete', () => {
  // Every flag value and every refused argument is compared on the host (udev-flags.test.ts): here
  // what needs udev running and semaphores, each tool run as few times as will do (a process costs seconds).
  it('udevflags: all 16 bits, the same lines', () => {
    const [ours, theirs] = both(['udevflags', '0xffff0000']);
    expect(ours).toEqual(theirs);
  });

  it('udevcomplete of a flags-only cookie and of a missing one', () => {
    for (const cookie of ['0x00600000', '0x0d4d0001']) {
      const [ours, theirs] = both(['udevcomplete', cookie]);
      expect(ours).toEqual(theirs);
    }
    expect(cookieSemaphores()).toEqual([]);
  });

  it('udevcomplete of a good cookie (either tool made it): the same output, the value drops to 0', () => {
    for (const complete of [runTsdmsetup, runDmsetup]) {
      const cookie = dmsetupCookie();
      // The rule calls it with the flags in the high half: libdm swaps them for the magic.
      const withFlags = `0x${(0x00600000 | (Number(cookie) & 0xffff)).toString(16)}`;
      const result = complete(['udevcomplete', withFlags]);
      expect(result.status).toBe(0);
      expect(result.stdout).toBe(`DM_COOKIE_COMPLETED=${withFlags.padEnd(12)}\n`);
      expect(result.stderr).toBe('');
      expect(runDmsetup(['udevcookies']).stdout).toMatch(new RegExp(`^0x${(Number(cookie)).toString(16)} +\\d+ +0 `, 'm'));
    }
  });
});

describe('udevcreatecookie, udevreleasecookie, udevcookies', () => {
  it('udevcookies lists the same semaphores in the same format', () => {
    dmsetupCookie();
    dmsetupCookie();
    const [ours, theirs] = both(['udevcookies']);
    expect(ours).toEqual(theirs);
    expect(ours.stdout.split('\n')).toHaveLength(4);
    const json = JSON.parse(runTsdmsetup(['udevcookies', '--json']).stdout) as { cookies: { cookie: string; value: number }[] };
    expect(json.cookies.map((c) => c.value)).toEqual([1, 1]);
    expect(json.cookies.map((c) => c.cookie).sort()).toEqual(
      ours.stdout.split('\n').slice(1, 3).map((line) => line.split(' ')[0]).sort(),
    );
  });

  it('our cookie released by dmsetup, dmsetup’s released by us; nothing left', () => {
    const ours = runTsdmsetup(['udevcreatecookie']);
    expect(ours.status).toBe(0);
    expect(ours.stdout).toMatch(/^0x0D4D[0-9A-F]{4}\n$/);
    expect(cookieSemaphores()).toHaveLength(1);
    expect(runDmsetup(['udevreleasecookie', ours.stdout.trim()])).toEqual({ status: 0, stdout: '', stderr: '' });
    expect(cookieSemaphores()).toEqual([]);
    const theirs = dmsetupCookie();
    expect(runTsdmsetup(['udevreleasecookie', theirs])).toEqual({ status: 0, stdout: '', stderr: '' });
    expect(cookieSemaphores()).toEqual([]);
  });

  it('a transaction: dmsetup tasks on our cookie (udev completes them), released by us; and the reverse', () => {
    runDmsetup(['create', DEV, '--table', '0 8 zero']);
    const ours = runTsdmsetup(['udevcreatecookie']).stdout.trim();
    expect(runDmsetup(['--udevcookie', ours, 'suspend', DEV]).status).toBe(0);
    expect(runDmsetup(['--udevcookie', ours, 'resume', DEV]).status).toBe(0);
    expect(runTsdmsetup(['udevreleasecookie'], { env: { DM_UDEV_COOKIE: ours } })).toEqual({ status: 0, stdout: '', stderr: '' });
    const theirs = dmsetupCookie();
    expect(runDmsetup(['--udevcookie', theirs, 'resume', DEV]).status).toBe(0);
    expect(runDmsetup(['udevreleasecookie', theirs]).status).toBe(0);
    expect(cookieSemaphores()).toEqual([]);
  });

  it('udevreleasecookie refusals: missing, wrong prefix, already at zero', () => {
    for (const args of [['udevreleasecookie', '0x0d4d0002'], ['udevreleasecookie', '0x12340001']]) {
      const [ours, theirs] = both(args);
      expect(ours).toEqual(theirs);
    }
    const results = [runTsdmsetup, runDmsetup].map((run) => {
      const cookie = dmsetupCookie();
      expect(runDmsetup(['udevcomplete', cookie]).status).toBe(0);
      return generic(run(['udevreleasecookie', cookie]), cookie);
    });
    expect(results[0]).toEqual(results[1]);
    expect(results[0]!.status).toBe(1);
    expect(cookieSemaphores()).toEqual([]);
  });

  it('udevcomplete_all -y: the same counts; with an age, the fresh ones are skipped', () => {
    for (const args of [['udevcomplete_all', '-y'], ['udevcomplete_all', '-y', '5']]) {
      const results = [runTsdmsetup, runDmsetup].map((run) => {
        dmsetupCookie();
        dmsetupCookie();
        const result = run(args);
        runDmsetup(['udevcomplete_all', '-y']);
        return result;
      });
      expect(results[0]).toEqual(results[1]);
    }
    expect(cookieSemaphores()).toEqual([]);
  });

  it('a waiter blocked in udevreleasecookie wakes when udevcomplete_all removes its semaphore', async () => {
    const unmask = maskRule('95-dm-notify.rules');
    try {
      runDmsetup(['create', '--noudevsync', DEV, '--table', '0 8 zero']);
      const cookie = dmsetupCookie();
      // A resume after a suspend makes a uevent (a resume of an active device does not): value 2.
      expect(runDmsetup(['suspend', DEV]).status).toBe(0);
      expect(runDmsetup(['--udevcookie', cookie, 'resume', DEV]).status).toBe(0);
      const { spawn } = await import('node:child_process');
      const child = spawn(process.execPath, ['dist/cli/bin.js', 'udevreleasecookie', cookie], { stdio: 'ignore' });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      await waitForValue(cookie, 1);
      expect(runTsdmsetup(['udevcomplete_all', '-y']).stdout).toBe('1 semaphores with keys prefixed by 3405 (0xd4d) destroyed. 0 skipped.\n');
      expect(await exited).toBe(0);
    } finally {
      unmask();
    }
  });
});

describe('Debian’s rules calling tsdmsetup instead of /sbin/dmsetup', () => {
  it('the real dmsetup create, rename and remove complete (udev ran our udevflags and udevcomplete)', () => {
    const restore = useOurRules();
    try {
      // A hang here would mean our udevcomplete never signalled: bounded, so the test fails instead.
      const dmsetup = (...args: string[]): number | null => spawnSync('dmsetup', args, { stdio: 'ignore', timeout: 120_000 }).status;
      const renamed = names.of('b');
      expect(dmsetup('create', DEV, '--table', '0 8 zero')).toBe(0);
      expect(readlinkSync(`/dev/mapper/${DEV}`)).toMatch(/^\.\.\/dm-\d+$/);
      expect(existsSync(`/dev/disk/by-id/dm-name-${DEV}`)).toBe(true);
      expect(dmsetup('rename', DEV, renamed)).toBe(0);
      expect([existsSync(`/dev/mapper/${DEV}`), existsSync(`/dev/mapper/${renamed}`)]).toEqual([false, true]);
      expect(dmsetup('remove', renamed)).toBe(0);
      expect(existsSync(`/dev/mapper/${renamed}`)).toBe(false);
      expect(cookieSemaphores()).toEqual([]);
    } finally {
      restore();
    }
  });
});

/** Waits until the cookie's semaphore has `value` (the waiter dropped its reference). */
export async function waitForValue(cookie: string, value: number, ms = 30_000): Promise<void> {
  const pattern = new RegExp(`^0x${Number(cookie).toString(16)} +\\d+ +${value} `, 'm');
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (pattern.test(runDmsetup(['udevcookies']).stdout)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`cookie ${cookie} never reached value ${value}`);
}
