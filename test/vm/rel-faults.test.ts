/**
 * Bad input and faults against the real kernel (issue 11): a NUL byte in a table file, a full
 * stdout, sector counts past 2^53 (made by dmsetup, which carries them), and a device name that
 * is not valid UTF-8 (made by dmsetup from raw bytes). Each checks what dmsetup does as well.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { byDev, DeviceMapper, DmError, parseTable, TableSyntaxError } from '../../lib/index.js';
import { runTsdmsetup } from '../helpers/cli.js';
import { deviceNames, removeDevicesWithPrefix } from '../helpers/devices.js';
import { dmsetup, dmsetupInfo, dmsetupResult } from './lib-support.js';

const names = deviceNames('relfaults');
const env = { DM_DISABLE_UDEV: '1' };
const BIN = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'bin.js');
const dir = mkdtempSync(join(tmpdir(), 'relfaults-'));
/** The raw name `<prefix>\xff\xfe`, as a shell printf argument. */
const RAW_NAME = `$(printf '${names.prefix}\\377\\376')`;

function sh(command: string): { status: number; stdout: string; stderr: string } {
  const result = spawnSync('sh', ['-c', command], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: result.status ?? 128, stdout: result.stdout, stderr: result.stderr };
}

afterEach(() => {
  sh(`dmsetup remove --manglename none "${RAW_NAME}" 2>/dev/null`);
  removeDevicesWithPrefix(names.prefix);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a NUL byte in a table file', () => {
  it('is refused by tsdmsetup naming it (exit 1, no device); dmsetup cuts the line there', () => {
    const file = join(dir, 'nul.table');
    writeFileSync(file, '0 8 zero\0 trailing\n');
    const ours = runTsdmsetup(['create', names.of('nul'), file], { env });
    expect(ours.status).toBe(1);
    expect(ours.stderr).toBe(`Invalid format on line 1 of table ${file}: it contains a NUL byte.\nCommand failed.\n`);
    expect(dmsetupInfo(names.of('nul'))).toBeUndefined();
    // dmsetup's C strings end at the NUL: it makes the device from what comes before.
    expect(dmsetupResult('create', names.of('nuld'), file).status).toBe(0);
    expect(dmsetup('table', names.of('nuld'))).toBe('0 8 zero \n');
    // A NUL inside the numbers: both refuse (dmsetup: "Invalid format"), exit 1.
    writeFileSync(file, '0 8\0 zero\n');
    expect(runTsdmsetup(['create', names.of('nul2'), file], { env }).status).toBe(1);
    expect(dmsetupResult('create', names.of('nul3'), file).status).toBe(1);
  });
});

describe('stdout that cannot be written (> /dev/full)', () => {
  it('ls, table, info and info --json print one line naming the error and exit 1', () => {
    dmsetup('create', names.of('full'), '--table', '0 8 zero');
    for (const args of ['ls', `table ${names.of('full')}`, `info ${names.of('full')}`, `info ${names.of('full')} --json`]) {
      const ours = sh(`"${process.execPath}" "${BIN}" ${args} > /dev/full`);
      expect(ours.status, args).toBe(1);
      expect(ours.stderr, args).toBe('Error writing to standard output: No space left on device (ENOSPC).\n');
    }
    // dmsetup 1.02.185 does not check: nothing said, exit 0.
    const theirs = sh('dmsetup ls > /dev/full');
    expect(theirs).toMatchObject({ status: 0, stderr: '' });
  });
});

describe('sector counts past 2^53', () => {
  const HUGE = '9007199254740993';

  it('a device dmsetup made with 2^53+1 sectors: table(), status() and tsdmsetup read it exactly', () => {
    dmsetup('create', names.of('big'), '--table', `0 ${HUGE} zero`);
    expect(dmsetup('table', names.of('big'))).toBe(`0 ${HUGE} zero \n`);
    using dm = DeviceMapper.open();
    expect(dm.table({ name: names.of('big') }).rows).toEqual([{ start: 0, length: BigInt(HUGE), type: 'zero', params: '' }]);
    expect(dm.status({ name: names.of('big') }).rows[0]!.length).toBe(BigInt(HUGE));
    for (const command of ['table', 'status']) {
      const ours = runTsdmsetup([command, names.of('big')], { env });
      expect(ours).toMatchObject({ status: 0, stdout: dmsetup(command, names.of('big')), stderr: '' });
    }
    // --json: a string past 2^53, so a JSON reader cannot round it.
    const json = runTsdmsetup(['table', '--json', names.of('big')], { env });
    expect(json.status).toBe(0);
    expect(json.stdout).toContain(`"length":"${HUGE}"`);
  });

  it('a table of 2^53+1 sectors is created exactly, by the library and tsdmsetup alike', () => {
    const ours = runTsdmsetup(['create', names.of('big2'), '--table', `0 ${HUGE} zero`], { env });
    expect(ours).toMatchObject({ status: 0, stderr: '' });
    expect(dmsetup('table', names.of('big2'))).toBe(`0 ${HUGE} zero \n`);
    using dm = DeviceMapper.open();
    dm.createDevice(names.of('big3'), parseTable(`0 ${HUGE} zero\n${HUGE} 8 error`));
    expect(dmsetup('table', names.of('big3'))).toBe(`0 ${HUGE} zero \n${HUGE} 8 error \n`);
  });

  it('past 2^64-1 the count is refused naming it as written, before the kernel', () => {
    const ours = runTsdmsetup(['create', names.of('big4'), '--table', '0 18446744073709551616 zero'], { env });
    expect(ours.status).toBe(1);
    expect(ours.stderr).toContain(' 18446744073709551616 ');
    expect(dmsetupInfo(names.of('big4'))).toBeUndefined();
    expect(() => parseTable('0 18446744073709551616 zero')).toThrow(TableSyntaxError);
  });

  it('the kernel refuses a zero target of 2^60 sectors (EINVAL), for dmsetup and us alike', () => {
    const theirs = dmsetupResult('create', names.of('big5'), '--table', `0 ${2n ** 60n} zero`);
    expect(theirs.status).toBe(1);
    expect(theirs.stderr).toContain('Invalid argument');
    const ours = runTsdmsetup(['create', names.of('big5'), '--table', `0 ${2n ** 60n} zero`], { env });
    expect(ours.status).toBe(1);
    expect(ours.stderr).toContain('Invalid argument');
    expect(dmsetupInfo(names.of('big5'))).toBeUndefined();
  });
});

describe('a device name that is not valid UTF-8 (made by dmsetup)', () => {
  it('list and info keep its bytes; tsdmsetup refuses the raw name as an argument', () => {
    // --manglename none: dmsetup's default (auto) would send `\xff\xfe` as text.
    expect(sh(`dmsetup create --manglename none "${RAW_NAME}" --table '0 8 zero'`).status).toBe(0);
    const bytes = Buffer.concat([Buffer.from(names.prefix), Buffer.from([0xff, 0xfe])]);
    // In auto mode (the default) libdm refuses such a name from the kernel; none keeps it as it is.
    using dm = DeviceMapper.open({ nodes: false, nameMangling: 'none' });
    const entry = dm.list().find((device) => device.nameBytes?.equals(bytes));
    expect(entry, 'the raw-named device in list()').toBeDefined();
    expect(entry!.name).toBe(`${names.prefix}\ufffd\ufffd`);
    expect(dm.info(byDev(entry!)).nameBytes).toEqual(bytes);
    // Not silently the device named with U+FFFD's bytes: refused, and the device stays.
    const ours = sh(`"${process.execPath}" "${BIN}" remove "${RAW_NAME}"`);
    expect(ours.status).toBe(1);
    expect(ours.stderr).toContain('Argument 2 is not valid UTF-8');
    expect(dm.info(byDev(entry!)).nameBytes).toEqual(bytes);
    // dmsetup made its node under the raw name: dmsetup removes both.
    expect(sh(`dmsetup remove --manglename none "${RAW_NAME}"`).status).toBe(0);
    expect(dm.list().some((device) => device.nameBytes?.equals(bytes))).toBe(false);
  });
});
