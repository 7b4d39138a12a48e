/**
 * Cookie values without a kernel: udevflags' lines, dmsetup's cookie parsing, udevcomplete of a
 * flags-only cookie, udevcomplete_all's age parsing and prompt, ctime. The reference is the real
 * dmsetup 1.02.185 on this machine (these commands of it touch no kernel and no semaphore).
 * The flag encoding is checked against the event_nr values libdm was seen to send (libdm-facts §6.1).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DmUdevFlag } from '../../native-defs/index.js';
import { eventNr, eventNrWithoutCookie, parseCookie, taskUdevFlags, udevFlagLines } from '../../lib/udev/flags.js';
import { ctime } from '../../cli/commands/udev-cookies.js';
import { scanUnsigned } from '../../cli/commands/udevcomplete-all.js';
import { runCli } from '../../cli/main.js';

const cliPath = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'bin.js');

/** Runs a program with `input` as a file on stdin (a pipe would fail with EPIPE when it is not read). */
function runWithInput(file: string, args: string[], input: string): { status: number; stdout: string; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tsdm-udev-'));
  const path = join(dir, 'stdin');
  writeFileSync(path, input);
  const fd = openSync(path, 'r');
  try {
    const result = spawnSync(file, args, { encoding: 'utf8', stdio: [fd, 'pipe', 'pipe'], env: { ...process.env, DM_UDEV_COOKIE: '' } });
    if (result.error) throw new Error(`${file} cannot run: ${result.error.message}`);
    return { status: result.status ?? 128, stdout: result.stdout, stderr: result.stderr };
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The reference (apt-get install -y dmsetup). */
function dmsetup(args: string[], input = ''): { status: number; stdout: string; stderr: string } {
  return runWithInput('dmsetup', args, input);
}

/** The built CLI (npm test builds first), so the prompt reads a real stdin as dmsetup's getchar does. */
function builtCli(args: string[], input: string): { status: number; stdout: string; stderr: string } {
  const run = runWithInput(process.execPath, [cliPath, ...args], input);
  return { ...run, stderr: run.stderr.replaceAll('tsdmsetup:', 'dmsetup:') };
}

async function ours(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const status = await runCli(args, { stdout: { write: (t) => void (stdout += t) }, stderr: { write: (t) => void (stderr += t) }, program: 'dmsetup' });
  return { status, stdout, stderr };
}

/** A reproducible spread of 32-bit values (a linear congruential sequence). */
function spread(count: number): number[] {
  const values: number[] = [];
  let x = 12345;
  for (let i = 0; i < count; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    values.push(x || 1);
  }
  return values;
}

const SINGLE_BITS = Array.from({ length: 16 }, (_, bit) => ((1 << (bit + 16)) | 1) >>> 0);
const COOKIES = [...SINGLE_BITS, 0xffff0000, 0x0d4d0040, 0x00600000, 0x00630000, 0x0d4d2af0, 0x8000ffff, 1, ...spread(12)];

describe('udevflags', () => {
  it.each(COOKIES.map((c) => `0x${c.toString(16)}`))('%s: the lines dmsetup prints', async (cookie) => {
    const reference = dmsetup(['udevflags', cookie]);
    expect(reference.status).toBe(0);
    expect(udevFlagLines(Number(cookie)).map((line) => `${line}\n`).join('')).toBe(reference.stdout);
    expect(await ours(['udevflags', cookie])).toEqual(reference);
  });

  it('--json lists the variables', async () => {
    const run = await ours(['udevflags', '--json', '0x00600000']);
    expect(JSON.parse(run.stdout)).toEqual({ cookie: '0x600000', flags: ['DM_UDEV_DISABLE_LIBRARY_FALLBACK_FLAG', 'DM_UDEV_PRIMARY_SOURCE_FLAG'] });
  });
});

describe('cookie arguments (strtoul base 0, non-zero, 32 bits, nothing trailing)', () => {
  const TEXTS = [
    '1', '0', '00', '0x', '0x10', '0X1f', '010', '08', '0x0D4D0040', '-1', ' 5', '\t7', '5 ', '+5', '++5', '5x', '',
    '4294967295', '4294967296', '0xffffffff', '0x100000000', '037777777777', '040000000000',
    '18446744073709551615', '18446744073709551616', '-18446744069414584320', '-18446744069414584321', '-4294967295',
  ];

  it.each(TEXTS.map((t) => [JSON.stringify(t), t]))('%s: accepted or refused as dmsetup does', async (_, text) => {
    const reference = dmsetup(['udevflags', '--', text]);
    const value = parseCookie(text);
    expect(value === undefined).toBe(reference.status !== 0);
    if (value !== undefined) expect(udevFlagLines(value).map((line) => `${line}\n`).join('')).toBe(reference.stdout);
    expect(await ours(['udevflags', '--', text])).toEqual(reference);
  });
});

describe('udevcomplete of a flags-only cookie (base 0: nothing to signal, no kernel asked)', () => {
  it.each(['0x00600000', '0xffff0000', '0x0d4d0000', '6291456'])('%s', async (cookie) => {
    const reference = dmsetup(['udevcomplete', cookie]);
    expect(reference.stdout).toMatch(/^DM_COOKIE_COMPLETED=0x[0-9a-f]+ *\n$/);
    expect(await ours(['udevcomplete', cookie])).toEqual(reference);
  });

  it('a bad cookie: Incorrect cookie value., exit 1', async () => {
    expect(await ours(['udevcomplete', '0x'])).toEqual(dmsetup(['udevcomplete', '0x']));
  });
});

describe('udevreleasecookie refusals that need no semaphore', () => {
  it.each([[['udevreleasecookie']], [['udevreleasecookie', 'x']], [['udevreleasecookie', '0']]])('%j', async (args) => {
    expect(await ours(args)).toEqual(dmsetup(args));
  });
});

describe('event_nr as libdm sends it', () => {
  const { DISABLE_LIBRARY_FALLBACK, DISABLE_DM_RULES, DISABLE_SUBSYSTEM_RULES, LOW_PRIORITY } = DmUdevFlag;

  it.each(['resume', 'remove', 'rename'] as const)('%s: udev makes nodes (FALLBACK) + PRIMARY_SOURCE = 0x00600000', (command) => {
    expect(eventNr(taskUdevFlags(command, DISABLE_LIBRARY_FALLBACK), 0)).toBe(0x00600000);
    // --noudevrules adds the DM and subsystem rules flags: 0x00630000.
    expect(eventNr(taskUdevFlags(command, DISABLE_LIBRARY_FALLBACK | DISABLE_DM_RULES | DISABLE_SUBSYSTEM_RULES), 0)).toBe(0x00630000);
    // --verifyudev: no FALLBACK, PRIMARY_SOURCE only.
    expect(eventNr(taskUdevFlags(command, 0), 0)).toBe(0x00400000);
    // With a cookie, its base in the low half: 0x00602af0.
    expect(eventNr(taskUdevFlags(command, DISABLE_LIBRARY_FALLBACK), 0x0d4d2af0)).toBe(0x00602af0);
  });

  it('create carries no PRIMARY_SOURCE (it makes no uevent with a cookie): 0x00200000', () => {
    expect(eventNr(taskUdevFlags('create', DISABLE_LIBRARY_FALLBACK), 0)).toBe(0x00200000);
  });

  it('DM_DISABLE_UDEV: FALLBACK stripped, DM and subsystem rules off (high half 0x0043)', () => {
    expect(taskUdevFlags('resume', DISABLE_LIBRARY_FALLBACK, { udevDisabled: true })).toBe(0x0043);
    expect(taskUdevFlags('resume', LOW_PRIORITY, { udevDisabled: true })).toBe(0x0053);
  });

  it('a driver without cookies (before 4.15) gets no flags at all', () => {
    expect(taskUdevFlags('resume', DISABLE_LIBRARY_FALLBACK, { cookieSupported: false })).toBe(0);
  });

  it('a uevent task sent without a cookie while sync is active switches udev rules off', () => {
    expect(eventNrWithoutCookie('resume', true)).toBe(0x00430000);
    expect(eventNrWithoutCookie('remove', false)).toBe(0x00400000);
    expect(eventNrWithoutCookie('create', true)).toBe(0);
  });
});

describe('udevcomplete_all: age and prompt (answered n: nothing is destroyed)', () => {
  const AGES = ['5', '0', 'abc', '5abc', ' 7', '-1', '+3', '4294967296', '99999999999999999999999', ''];

  it.each(AGES.map((a) => [JSON.stringify(a), a]))('age %s', (_, age) => {
    const reference = dmsetup(['udevcomplete_all', '--', age], 'n\n');
    expect(builtCli(['udevcomplete_all', '--', age], 'n\n')).toEqual(reference);
    if (reference.status === 0) expect(scanUnsigned(age)).toBeDefined();
    else expect(scanUnsigned(age)).toBeUndefined();
  });

  // Never a yes: that would remove this machine's cookie semaphores. (A final y then end of input is a no.)
  it.each([['x\nn\n'], ['abc\nN\n'], [''], ['Y'], ['\n\nnope\n'], ['n']])('answers %j: the same prompts, lines and result', (input) => {
    const reference = dmsetup(['udevcomplete_all'], input);
    expect(reference.stdout).toContain('NOT destroyed.');
    expect(builtCli(['udevcomplete_all'], input)).toEqual(reference);
  });
});

describe('ctime', () => {
  it.each([0, 86399, 951782400, 1700000000, 2000000000])('%i as date(1) prints it in the local zone', (seconds) => {
    const date = spawnSync('date', ['-d', `@${seconds}`, '+%a %b %e %H:%M:%S %Y'], { encoding: 'utf8' }).stdout.trim();
    expect(ctime(seconds)).toBe(date);
  });
});
