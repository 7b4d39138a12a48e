/**
 * systemd-udevd with Debian's rules, for the udev tests in the guest: started by the test file
 * when the guest was booted without `--udev`, and stopped again afterwards (so the files after it
 * see no udev, as they expect). Also masks a rule in /run/udev/rules.d (tmpfs in the guest) to
 * make udev not complete cookies.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { afterAll, beforeAll } from 'vitest';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const UDEVD = '/lib/systemd/systemd-udevd';
const CONTROL = '/run/udev/control';
const RUN_RULES = '/run/udev/rules.d';

/** Starts udevd unless it runs; returns whether this call started it. Throws with the install line. */
export function startUdevd(): boolean {
  if (existsSync(CONTROL)) return false;
  if (!existsSync(UDEVD)) throw new Error(`No ${UDEVD}: apt-get install -y udev=$(dpkg-query -W -f='\${Version}' systemd)`);
  if (!process.env['TSDM_IN_VM']) throw new Error('startUdevd: only inside the test guest');
  execFileSync(UDEVD, ['--daemon'], { stdio: 'ignore' });
  execFileSync('udevadm', ['trigger', '--action=add', '--subsystem-match=block', '--subsystem-match=misc']);
  settle();
  return true;
}

/**
 * For a test file: udevd runs for its tests (started if the guest has none) and stops after them.
 * With `enableForChildren`, DM_DISABLE_UDEV (which libdm counts as set even when empty) is taken
 * out of the environment for the file, so the CLIs it runs use udev too.
 */
export function useUdevd(options: { enableForChildren?: boolean } = {}): void {
  let started = false;
  const disableUdev = process.env['DM_DISABLE_UDEV'];
  beforeAll(() => {
    if (options.enableForChildren) delete process.env['DM_DISABLE_UDEV'];
    started = startUdevd();
  });
  afterAll(() => {
    stopUdevd(started);
    if (options.enableForChildren && disableUdev !== undefined) process.env['DM_DISABLE_UDEV'] = disableUdev;
  });
}

/** Stops a udevd that startUdevd started, and waits until it is gone. */
export function stopUdevd(started: boolean): void {
  if (!started) return;
  settle();
  spawnSync('udevadm', ['control', '--exit'], { stdio: 'ignore' });
  for (let i = 0; i < 200 && spawnSync('pgrep', ['-x', 'systemd-udevd']).status === 0; i++) sleep(25);
  rmSync(CONTROL, { force: true });
}

/** Waits until udev's queue is empty. */
export function settle(): void {
  spawnSync('udevadm', ['settle', '--timeout=30'], { stdio: 'ignore' });
}

/** Masks rules file `name` (e.g. 95-dm-notify.rules) until the returned function is called. */
export function maskRule(name: string): () => void {
  mkdirSync(RUN_RULES, { recursive: true });
  const path = `${RUN_RULES}/${name}`;
  symlinkSync('/dev/null', path);
  reloadRules();
  return () => {
    rmSync(path, { force: true });
    reloadRules();
  };
}

/**
 * Debian's dm rules with their `/sbin/dmsetup udevflags` and `udevcomplete` calls pointed at our
 * built CLI (copies in /run/udev/rules.d override /lib/udev/rules.d), until the returned function
 * is called.
 */
export function useOurRules(): () => void {
  mkdirSync(RUN_RULES, { recursive: true });
  const ours = `${process.execPath} ${join(import.meta.dirname, '..', '..', 'dist', 'cli', 'bin.js')}`;
  const written: string[] = [];
  for (const name of ['55-dm.rules', '95-dm-notify.rules']) {
    const text = readFileSync(`/lib/udev/rules.d/${name}`, 'utf8');
    const changed = text.replaceAll('/sbin/dmsetup udevflags', `${ours} udevflags`).replaceAll('/sbin/dmsetup udevcomplete', `${ours} udevcomplete`);
    if (changed === text) throw new Error(`${name}: no dmsetup udev call to replace`);
    writeFileSync(`${RUN_RULES}/${name}`, changed);
    written.push(`${RUN_RULES}/${name}`);
  }
  reloadRules();
  return () => {
    for (const path of written) rmSync(path, { force: true });
    reloadRules();
  };
}

/**
 * Makes udevd reload its rules before the next event: the reload request and udevd's events come
 * in on different sockets, so a ping (answered in order after the reload) makes sure it was seen.
 */
export function reloadRules(): void {
  execFileSync('udevadm', ['control', '--reload']);
  execFileSync('udevadm', ['control', '--ping']);
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** The 0x0d4d-keyed lines of `ipcs -s`. */
export function cookieSemaphores(): string[] {
  return execFileSync('ipcs', ['-s'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => /^0x0d4d/i.test(line));
}
