/**
 * tsdmsetup --json: one JSON document on stdout for the commands that print data, with the same
 * facts dmsetup prints as text (checked against dmsetup's own output), and errors on stderr.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runTsdmsetup } from '../helpers/cli.js';
import { deviceNames, removeDevicesWithPrefix } from '../helpers/devices.js';
import { makeLoopDevice, type LoopDevice } from '../helpers/loop.js';
import { dmsetup, dmsetupDeps, dmsetupInfo, dmsetupRows } from './lib-support.js';

const names = deviceNames('clijson');
const [ZERO, LIN, EMPTY] = ['zero', 'lin', 'empty'].map(names.of) as [string, string, string];
const env = { DM_DISABLE_UDEV: '1' };

/** Runs tsdmsetup with --json and parses its one document. */
function json(...args: string[]): { status: number; document: Record<string, unknown>; stderr: string } {
  const result = runTsdmsetup([...args, '--json'], { env });
  const lines = result.stdout.split('\n').filter(Boolean);
  expect(lines).toHaveLength(1);
  return { status: result.status, document: JSON.parse(lines[0]!) as Record<string, unknown>, stderr: result.stderr };
}

let loop: LoopDevice;

beforeAll(() => {
  loop = makeLoopDevice(8);
});

afterEach(() => removeDevicesWithPrefix(names.prefix));

afterAll(() => loop?.detach());

describe('tsdmsetup --json', () => {
  function createDevices(): void {
    dmsetup('create', ZERO, '-u', 'CLIJSON-ZERO', '--table', '0 2048 zero');
    dmsetup('create', LIN, '--table', `0 1024 linear ${loop.path} 0`);
    dmsetup('create', EMPTY, '--notable');
  }

  it('info: every device\'s state, read-ahead null when it cannot be read', () => {
    createDevices();
    const { status, document, stderr } = json('info', ZERO, EMPTY);
    expect(status).toBe(0);
    expect(stderr).toBe('');
    const [zero, empty] = document['devices'] as Record<string, unknown>[];
    const witness = dmsetupInfo(ZERO)!;
    expect(zero).toMatchObject({
      name: ZERO,
      uuid: 'CLIJSON-ZERO',
      major: witness.major,
      minor: witness.minor,
      openCount: 0,
      targetCount: 1,
      liveTable: true,
      inactiveTable: false,
      suspended: false,
      readOnly: false,
      readAhead: 256,
    });
    expect(empty).toMatchObject({ name: EMPTY, liveTable: false, targetCount: 0, readAhead: null });
  });

  it('info of a missing device: the error on stderr, an empty list, exit 1', () => {
    const { status, document, stderr } = json('info', names.of('nope'));
    expect(status).toBe(1);
    expect(document).toEqual({ devices: [] });
    expect(stderr).toBe('Device does not exist.\nCommand failed.\n');
  });

  it('ls, table, status and deps: the data dmsetup shows', () => {
    createDevices();
    const listed = (json('ls').document['devices'] as { name: string; major: number; minor: number }[]).filter((d) =>
      d.name.startsWith(names.prefix),
    );
    expect(listed.map((d) => d.name)).toEqual([EMPTY, LIN, ZERO]);
    expect(listed.find((d) => d.name === ZERO)).toMatchObject({ major: dmsetupInfo(ZERO)!.major, minor: dmsetupInfo(ZERO)!.minor });
    expect(json('ls', '--target', 'linear').document).toEqual({
      devices: [{ name: LIN, major: dmsetupInfo(LIN)!.major, minor: dmsetupInfo(LIN)!.minor }],
    });
    expect(json('table', LIN).document).toEqual({ devices: [{ name: LIN, rows: dmsetupRows('table', LIN) }] });
    expect(json('status', ZERO, EMPTY).document).toEqual({
      devices: [
        { name: ZERO, rows: [{ start: 0, length: 2048, type: 'zero', params: '' }] },
        { name: EMPTY, rows: [] },
      ],
    });
    expect(json('deps', LIN).document).toEqual({ devices: [{ name: LIN, deps: dmsetupDeps(LIN) }] });
    expect(json('deps', '-o', 'blkdevname', LIN).document).toEqual({
      devices: [{ name: LIN, deps: [{ major: loop.major, minor: loop.minor, name: loop.path.replace('/dev/', '') }] }],
    });
  });

  it('targets, target-version, version and message', () => {
    createDevices();
    const targets = json('targets').document['targets'] as { name: string; version: string }[];
    const witness = dmsetup('targets')
      .trim()
      .split('\n')
      .map((line) => line.split(/\s+v/));
    expect(targets.map((t) => [t.name, t.version])).toEqual(witness);
    expect(json('target-version', 'zero').document).toEqual({ targets: targets.filter((t) => t.name === 'zero') });
    const version = json('version').document;
    expect(version['driver']).toBe(dmsetup('version').split('\n')[1]!.replace('Driver version:    ', ''));
    expect(version['library']).toMatch(/^1\.02\.185 \(tsdmsetup /);
    expect(json('message', ZERO, '0', '@stats_create', '-', '/1').document).toEqual({ response: '0' });
    expect(json('message', ZERO, '0', '@stats_delete', '0').document).toEqual({ response: null });
  });
});
