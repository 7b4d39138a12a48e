/**
 * tsdmsetup with a real systemd-udevd: with Debian's stock rules (which call the real dmsetup),
 * with the rules rewritten to call our tsdmsetup (and the real dmsetup then run against them), a
 * udev that never completes, signals during the wait, the monitor mode and an unshared IPC
 * namespace. At return the node is always udev's symlink, and no semaphore is ever left.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runTsdmsetup } from '../helpers/cli.js';
import { deviceNames, removeDevicesWithPrefix } from '../helpers/devices.js';
import { cookieSemaphores, maskRule, reloadRules, settle, startUdevd, stopUdevd } from '../helpers/udevd.js';

const names = deviceNames('udevcli');
const cli = join(process.cwd(), 'dist', 'cli', 'bin.js');
/** Extra environment of the commands (none: udev is in charge here). */
const env = {};
let started = false;
/** DM_DISABLE_UDEV, set or not (libdm counts it set even when empty), is taken away for this file. */
const disableUdev = process.env['DM_DISABLE_UDEV'];

beforeAll(() => {
  delete process.env['DM_DISABLE_UDEV'];
  started = startUdevd();
});
afterAll(() => {
  stopUdevd(started);
  if (disableUdev !== undefined) process.env['DM_DISABLE_UDEV'] = disableUdev;
});
afterEach(() => {
  settle();
  removeDevicesWithPrefix(names.prefix);
  settle();
});

function linkOf(name: string): string | undefined {
  try {
    const path = `/dev/mapper/${name}`;
    return lstatSync(path).isSymbolicLink() ? readlinkSync(path) : 'node';
  } catch {
    return undefined;
  }
}

function minorOf(name: string): number {
  return Number(readFileSync(`/sys/block/${readlinkSync(`/dev/mapper/${name}`).slice(3)}/dev`, 'utf8').split(':')[1]);
}

function ours(...args: string[]): void {
  const result = runTsdmsetup(args, { env });
  expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
}

function theirs(...args: string[]): void {
  const result = spawnSync('dmsetup', args, { encoding: 'utf8', env: { ...process.env, ...env } });
  expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
}

/** create / rename / remove with `run`, each checked at return. */
function cycle(run: (...args: string[]) => void, name: string): void {
  run('create', name, '--table', '0 8 zero');
  expect(linkOf(name)).toMatch(/^\.\.\/dm-\d+$/);
  expect(minorOf(name)).toBeGreaterThanOrEqual(0);
  run('rename', name, `${name}r`);
  expect(linkOf(`${name}r`)).toMatch(/^\.\.\/dm-\d+$/);
  expect(linkOf(name)).toBeUndefined();
  run('remove', `${name}r`);
  expect(linkOf(`${name}r`)).toBeUndefined();
  expect(cookieSemaphores()).toEqual([]);
}

describe('the stock rules (calling the real dmsetup)', () => {
  it('our create / rename / remove: udev’s symlinks at return, no semaphore left', () => {
    for (let i = 0; i < 5; i++) cycle(ours, names.of(`stock${i}`));
  }, 300_000);
});

describe('the rules rewritten to call our tsdmsetup', () => {
  const rulesDir = '/run/udev/rules.d';
  const wrapperDir = '/run/tsdmt-udev';
  beforeAll(() => {
    mkdirSync(wrapperDir, { recursive: true });
    const wrapper = join(wrapperDir, 'tsdmsetup');
    writeFileSync(wrapper, `#!/bin/sh\nexec ${process.execPath} ${cli} "$@"\n`);
    chmodSync(wrapper, 0o755);
    mkdirSync(rulesDir, { recursive: true });
    for (const file of ['55-dm.rules', '95-dm-notify.rules']) {
      const text = readFileSync(`/lib/udev/rules.d/${file}`, 'utf8').replaceAll('/sbin/dmsetup', wrapper);
      expect(text).toContain(wrapper);
      writeFileSync(join(rulesDir, file), text);
    }
    reloadRules();
  });
  afterAll(() => {
    for (const file of ['55-dm.rules', '95-dm-notify.rules']) rmSync(join(rulesDir, file), { force: true });
    reloadRules();
    rmSync(wrapperDir, { recursive: true, force: true });
  });

  it('the real dmsetup create / rename / remove complete, with symlinks and no semaphore left', () => {
    for (let i = 0; i < 3; i++) cycle(theirs, names.of(`theirs${i}`));
  }, 300_000);

  it('and so do ours', () => {
    for (let i = 0; i < 3; i++) cycle(ours, names.of(`ours${i}`));
  }, 300_000);
});

describe('a udev that never completes (95-dm-notify masked)', () => {
  // Per test, so the file's clean-up (after each test) runs with the rule back.
  let unmask: (() => void) | undefined;
  beforeEach(() => {
    unmask = maskRule('95-dm-notify.rules');
  });
  afterEach(() => unmask?.());

  it('tsdmsetup --udevtimeout 3 create returns within 10 s: device and node there, the warning names the cookie, no semaphore', () => {
    const name = names.of('slow');
    const startedAt = Date.now();
    const result = runTsdmsetup(['--udevtimeout', '3', 'create', name, '--table', '0 8 zero'], { env });
    const took = Date.now() - startedAt;
    expect(result.status).toBe(0);
    expect(took).toBeLessThan(10_000);
    expect(result.stderr).toMatch(/^udev did not complete cookie 0x[0-9A-F]{8} in time \(3 s\); its semaphore was removed\.$/m);
    expect(linkOf(name)).toBeDefined();
    expect(cookieSemaphores()).toEqual([]);
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('%s to a waiting tsdmsetup leaves no semaphore', async (signal) => {
    const name = names.of(`signal-${signal}`);
    const child = spawn(process.execPath, [cli, 'create', name, '--table', '0 8 zero'], {
      env: { ...process.env, ...env },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code, sig) => resolve(code ?? (sig ? 128 : null))));
    for (let i = 0; i < 400 && cookieSemaphores().length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 25));
    expect(cookieSemaphores()).toHaveLength(1); // it is waiting
    child.kill(signal);
    expect(await exited).not.toBe(0);
    expect(cookieSemaphores()).toEqual([]);
  });
});

describe('monitor mode', () => {
  it('--udevsync=monitor: create / rename / remove with symlinks at return and no semaphore, ever', async () => {
    const name = names.of('monitor');
    const seen: string[] = [];
    const watching = setInterval(() => seen.push(...cookieSemaphores()), 5);
    try {
      for (const args of [
        ['create', name, '--table', '0 8 zero'],
        ['rename', name, `${name}r`],
        ['remove', `${name}r`],
      ]) {
        const child = spawn(process.execPath, [cli, '--udevsync=monitor', ...args], { env: { ...process.env, ...env }, stdio: 'pipe' });
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
        expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
        if (args[0] === 'create') expect(linkOf(name)).toMatch(/^\.\.\/dm-\d+$/);
        if (args[0] === 'rename') expect(linkOf(`${name}r`)).toMatch(/^\.\.\/dm-\d+$/);
        if (args[0] === 'remove') expect(linkOf(`${name}r`)).toBeUndefined();
      }
    } finally {
      clearInterval(watching);
    }
    expect(seen).toEqual([]);
  }, 120_000);

  it('in an unshared IPC namespace tsdmsetup picks monitor mode by itself and returns with the symlink in place', () => {
    const name = names.of('ipcns');
    const result = spawnSync('unshare', ['--ipc', process.execPath, cli, 'create', name, '--table', '0 8 zero'], {
      encoding: 'utf8',
      env: { ...process.env, ...env },
      timeout: 60_000,
    });
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(/another IPC namespace/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(linkOf(name)).toMatch(/^\.\.\/dm-\d+$/);
    expect(cookieSemaphores()).toEqual([]);
  });
});
