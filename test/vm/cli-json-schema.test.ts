/**
 * Every tsdmsetup --json document, from every command that prints one, validated against its
 * schema (cli/json-schemas.ts) on a real kernel, with the facts checked against dmsetup's text:
 * the -c report's fields (-o, -O, -S honoured), ls --tree's structure, wait's event number, and
 * the udev commands with udevd running.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { jsonSchemaFor } from '../../cli/json-schemas.js';
import { runTsdmsetup } from '../helpers/cli.js';
import { deviceNames, removeDevicesWithPrefix } from '../helpers/devices.js';
import { validateJson } from '../helpers/json-schema.js';
import { makeLoopDevice, type LoopDevice } from '../helpers/loop.js';
import { useUdevd } from '../helpers/udevd.js';
import { dmsetup } from './lib-support.js';

const names = deviceNames('clischema');
const [BASE, TOP, EMPTY] = ['base', 'top', 'empty'].map(names.of) as [string, string, string];
const env = { DM_DISABLE_UDEV: '1' };

/** Runs `tsdmsetup ARGS --json`, checks its one line against the schema for those options, and parses it. */
function valid(args: string[], options: { columns?: boolean; target?: string; tree?: boolean } = {}, runEnv: NodeJS.ProcessEnv = env): { status: number; document: Record<string, unknown>; stderr: string } {
  const result = runTsdmsetup([...args, '--json'], { env: runEnv });
  const lines = result.stdout.split('\n').filter(Boolean);
  expect(lines, `${args.join(' ')}: one line on stdout`).toHaveLength(1);
  const document = JSON.parse(lines[0]!) as Record<string, unknown>;
  const schema = jsonSchemaFor(args[0]!, options);
  expect(schema, `a schema for ${args[0]}`).toBeDefined();
  expect(validateJson(document, schema!), args.join(' ')).toEqual([]);
  return { status: result.status, document, stderr: result.stderr };
}

let loop: LoopDevice;

beforeAll(() => {
  loop = makeLoopDevice(8);
});

afterAll(() => loop?.detach());

describe('--json documents against their schemas', () => {
  afterEach(() => removeDevicesWithPrefix(names.prefix));

  function createDevices(): void {
    dmsetup('create', BASE, '-u', 'CLISCHEMA-BASE', '--table', `0 4096 linear ${loop.path} 0`);
    dmsetup('create', TOP, '--table', `0 2048 linear /dev/mapper/${BASE} 0\n2048 2048 zero`);
    dmsetup('create', EMPTY, '--notable');
  }

  it('info, info -c (with -o, -O and -S), wait, table, status, deps, ls and ls --target', () => {
    createDevices();
    expect(valid(['info', BASE, TOP, EMPTY]).status).toBe(0);
    expect(valid(['info', names.of('missing')])).toMatchObject({ status: 1, document: { devices: [] } });
    // -c: the report's own fields, with the values dmsetup prints.
    const fields = 'name,major,minor,attr,open,segments,events,uuid,read_ahead';
    const report = valid(['info', '-c', '-o', fields, '-O', '-name', BASE, TOP], { columns: true }).document['report'] as Record<string, unknown>[];
    const theirs = dmsetup('info', '-c', '--noheadings', '--separator', '|', '-o', fields, '-O', '-name', BASE, TOP)
      .trim()
      .split('\n')
      .map((line) => line.split('|'));
    expect(report.map((row) => fields.split(',').map((field) => String(row[field])))).toEqual(theirs);
    expect(typeof report[0]!['major']).toBe('number');
    const selected = valid(['info', '-c', '-o', 'name', '-S', `name=${TOP}`], { columns: true }).document;
    expect(selected).toEqual({ report: [{ name: TOP }] });
    // Without -c, -S still picks the devices of info.
    expect((valid(['info', '-S', `uuid=CLISCHEMA-BASE`]).document['devices'] as { name: string }[]).map((d) => d.name)).toEqual([BASE]);
    // wait returns at once when the counter is already past the number given.
    const waited = valid(['wait', TOP, '7']).document['devices'] as { name: string; eventNr: number }[];
    expect(waited).toMatchObject([{ name: TOP, eventNr: Number(dmsetup('info', '-c', '--noheadings', '-o', 'events', TOP).trim()) }]);
    valid(['table', TOP, EMPTY]);
    valid(['table', '--showkeys', TOP]);
    valid(['status', TOP]);
    valid(['deps', TOP]);
    valid(['deps', '-o', 'blkdevname', TOP]);
    valid(['ls']);
    valid(['ls', '--target', 'zero'], { target: 'zero' });
  });

  it('ls --tree: the tree dmsetup draws, as nodes', () => {
    createDevices();
    const tree = valid(['ls', '--tree'], { tree: true }).document['tree'] as { name: string | null; children: { name: string | null; children: unknown[] }[] }[];
    const top = tree.find((node) => node.name === TOP)!;
    expect(top.children.map((child) => child.name)).toEqual([BASE]);
    const base = top.children[0] as { children: { name: string | null; major: number; minor: number }[] };
    expect(base.children).toEqual([{ name: null, major: loop.major, minor: loop.minor, children: [] }]);
    // dmsetup draws the same: TOP, under it BASE, under that the loop device.
    const drawn = dmsetup('ls', '--tree', '-o', 'ascii');
    expect(drawn).toContain(`${TOP} (`);
    expect(drawn).toMatch(new RegExp(`\`-${BASE} \\(\\d+:\\d+\\)\\n +\`- \\(${loop.major}:${loop.minor}\\)`));
    const inverted = valid(['ls', '--tree', '-o', 'inverted'], { tree: true }).document['tree'] as { name: string | null; major: number }[];
    expect(inverted.some((node) => node.name === null && node.major === loop.major)).toBe(true);
  });

  it('version, targets, target-version and message', () => {
    createDevices();
    valid(['version']);
    valid(['targets']);
    valid(['target-version', 'linear', 'zero']);
    expect(valid(['message', TOP, '0', '@stats_list']).document).toEqual({ response: '' });
  });

  it('mangle: a device already in the right form, one renamed, one whose uuid cannot be', () => {
    const [RAW, BADUUID] = [names.of('raw name'), names.of('u')];
    dmsetup('create', BASE, '-u', 'CLISCHEMA-BASE', '--table', '0 8 zero');
    dmsetup('--manglename', 'none', 'create', RAW, '--table', '0 8 zero');
    dmsetup('--manglename', 'none', 'create', BADUUID, '-u', 'CLISCHEMA U', '--table', '0 8 zero');
    expect(valid(['mangle', BASE, RAW]).document).toEqual({
      devices: [
        { name: BASE, uuid: 'CLISCHEMA-BASE', renamedTo: null },
        { name: RAW, uuid: '', renamedTo: names.of('raw\\x20name') },
      ],
    });
    // dmsetup's listing of the kernel's names shows the rename happened.
    expect(dmsetup('--manglename', 'none', 'ls')).toContain(`${names.of('raw\\x20name')}\t(`);
    const failed = valid(['mangle', BADUUID]);
    expect(failed).toMatchObject({ status: 1, document: { devices: [] } });
    expect(failed.stderr).toContain('UUID in incorrect form.');
  });
});

describe('the udev commands, with udevd running', () => {
  useUdevd();

  it('udevcreatecookie, udevcookies, udevflags, udevcomplete and udevcomplete_all', () => {
    const created = valid(['udevcreatecookie'], {}, {}).document as { cookie: string };
    try {
      const listed = valid(['udevcookies'], {}, {}).document['cookies'] as { cookie: string }[];
      expect(listed.map((entry) => entry.cookie)).toContain(created.cookie);
      valid(['udevflags', created.cookie], {}, {});
    } finally {
      expect(runTsdmsetup(['udevreleasecookie', created.cookie]).status).toBe(0);
    }
    // udevcomplete does udev's part (the count to 0); the semaphore stays until udevcomplete_all.
    const second = valid(['udevcreatecookie'], {}, {}).document as { cookie: string };
    expect(valid(['udevcomplete', second.cookie], {}, {}).document).toEqual({ completed: second.cookie });
    const all = valid(['udevcomplete_all', '-y'], {}, {}).document;
    expect(all).toMatchObject({ destroyed: expect.any(Number), skipped: 0 });
    expect(all['destroyed']).toBeGreaterThanOrEqual(1);
    expect(valid(['udevcookies'], {}, {}).document).toEqual({ cookies: [] });
  });
});
