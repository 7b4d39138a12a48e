/**
 * `-S/--select` against Debian's dmsetup 1.02.185: the same devices are made with each tool from
 * a clean state, then every step runs, and every step's exit status, stdout and stderr must be
 * the same (the program name in messages aside). Selections on `info -c`, the commands that pick
 * devices by selection (remove, suspend, resume, table, status, deps, wipe_table), and bad
 * selections with dmsetup's messages. Both run with DM_DISABLE_UDEV=1.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runDmsetup, runTsdmsetup } from '../helpers/cli.js';
import { deviceNames, removeDevicesWithPrefix } from '../helpers/devices.js';
import { cmd, DIFFERENTIAL_ENV, Differential, type StepResult } from '../helpers/differential.js';
import { makeLoopDevice, type LoopDevice } from '../helpers/loop.js';

const names = deviceNames('clisel');
const dev = names.of;
const env = DIFFERENTIAL_ENV;
/** Selections that list devices keep to ours. */
const ours = `name=~^${names.prefix}`;
const LUKS_UUID = '0123abcd-4567-89ef-0123-456789abcdef';

const differential = new Differential(names.prefix);

/** Makes the devices with each tool in turn and runs `steps` after; both must print the same. */
function expectSameAsDmsetup(setup: string[][], steps: string[][]): StepResult[] {
  return differential.expectSameAsDmsetup([...setup, ...steps].map((args) => cmd(...args))).slice(setup.length);
}

let loop: LoopDevice;

/** A LUKS-like stack as fsadm sees it: crypt uuids over a loop device and over another device. */
function setup(): string[][] {
  return [
    ['create', dev('luks'), '-u', `CRYPT-LUKS2-${LUKS_UUID.replace(/-/g, '')}-${dev('luks')}`, '--table', `0 1024 linear ${loop.path} 0`],
    ['create', dev('base'), '--table', `0 2048 linear ${loop.path} 2048`],
    ['create', dev('upper'), '-u', `CRYPT-LUKS2-${LUKS_UUID.replace(/-/g, '')}-${dev('upper')}`, '--table', `0 512 linear /dev/mapper/${dev('base')} 0`],
    ['create', dev('lv'), '-u', 'LVM-abcdefabcdefabcdefabcdefabcdefab0123456789', '--table', '0 64 zero'],
    ['create', dev('two'), '--table', '0 8 zero\n8 8 error'],
  ];
}

beforeAll(() => {
  loop = makeLoopDevice(16);
});

afterEach(() => {
  removeDevicesWithPrefix(names.prefix);
});

afterAll(() => {
  differential.printTally('cli-select');
  loop?.detach();
});

const info = (selection: string, ...more: string[]): string[] => ['info', '-c', '-S', selection, ...more];

describe('tsdmsetup -S selects what dmsetup -S selects', { timeout: 600_000 }, () => {
  it('info -c: comparisons, logic, quoting, regexes, the selected field, and the fsadm selection', () => {
    const luksUuid = LUKS_UUID.replace(/-/g, '');
    const results = expectSameAsDmsetup(setup(), [
      info(`${ours}`, '-o', 'name,uuid'),
      info(`name=${dev('base')}`),
      info(`name!=${dev('base')} && ${ours}`, '-o', 'name'),
      info(`name='${dev('lv')}'`, '-o', 'name,uuid'),
      info(`segments=2 && ${ours}`, '-o', 'name,segments'),
      info(`segments>1 || name=${dev('lv')}`, '-o', 'name', '--noheadings'),
      info(`(segments>=2 || open>0) && ${ours}`, '-o', 'name,open'),
      info(`minor<=0 && ${ours}`, '-o', 'name'),
      info(`!(name=${dev('base')}) && ${ours}`, '-o', 'name', '-O', '-name'),
      info(`${ours},segments=1#name=nothing`, '-o', 'name'),
      info(`uuid=~^CRYPT-LUKS2- && ${ours}`, '-o', 'name'),
      info(`uuid!~CRYPT && ${ours}`, '-o', 'name'),
      info(`UUID=~"^LVM-" && ${ours}`, '-o', 'name,subsystem,vg_name'),
      info(`subsystem=LVM && ${ours}`, '-o', 'name'),
      info(`devnos_used='${loop.major}:${loop.minor}' && ${ours}`, '-o', 'name,devnos_used'),
      info(`devs_used=${dev('base')}`, '-o', 'name,devs_used'),
      info(`names_using_dev=~upper && ${ours}`, '-o', 'name'),
      info(`device_count=0 && ${ours}`, '-o', 'name,device_count'),
      info(`${ours}`, '-o', 'name,selected'),
      info(`name=${dev('two')}`, '-O', 'selected', '-o', 'name'),
      info(`name=${dev('two')}`, '-O', '-selected', '-o', 'name,selected'),
      info(`${ours}`, '--count', '2', '--interval', '1', '-o', 'name'),
      info(`minor=.5 || minor=1. || name=~"^${names.prefix}l[^u]"`, '-o', 'name'),
      info(`name=~(two|lv)$ && ${ours}`, '-o', 'name,selected'),
      info(`Dev_Nos_Used=~":" && ${ours}`, '-o', 'name'),
      info(`attr=~"^L" && tables_loaded=Live && ${ours}`, '-o', 'name,attr'),
      ['info', '-c', '--noheadings', '-S', `UUID=~^CRYPT-LUKS2-${luksUuid}-&&segments=1&&devnos_used='${loop.major}:${loop.minor}'`, '-o', 'name'],
      ['info', '-c', '--noheadings', '-S', `UUID=~^CRYPT-LUKS2-${luksUuid}-&&segments=1&&devnos_used='7:9999'`, '-o', 'name'],
      info('', '-o', 'name'),
      info('all', '-o', 'name', dev('two')),
      info('name=nothing', dev('two'), dev('lv')),
      ['info', '-S', `name=${dev('two')}`, dev('two')],
    ]);
    expect(results.find((r) => r.step.includes(`devnos_used='${loop.major}:${loop.minor}'`) && r.step.includes('UUID'))!.stdout).toBe(`${dev('luks')}\n`);
  });

  it('bad selections: dmsetup’s messages and exit status', () => {
    expectSameAsDmsetup(setup(), [
      info('bogus=1'),
      info('name'),
      info('name=='),
      info('major=x'),
      info('major="1"'),
      info('name>1'),
      info('name since 1'),
      info('major=~1'),
      info('name="unterminated'),
      info('(name=a'),
      info('!name=a'),
      info('name=a b'),
      info('name=a)'),
      info('major=5k'),
      info('major=5%'),
      info('major=99999999999999999999'),
      info('name=~(a'),
      info('name=~"a("'),
      info('name=~"a|"'),
      info('=1'),
      info('help=1'),
      info(' '),
      info('#'),
      info(`name=${dev('two')}&&`),
      info('()'),
      info(`${'a'.repeat(40)}=1`),
      info('name=~"[ab"'),
      info('name=~""'),
      info(`name=~"t||x" && ${ours}`, '-o', 'name'),
      info('help'),
      info('?', '-o', 'name'),
      ['table', '-S', 'bogus=1'],
      ['remove', '-S', 'name'],
    ]);
  });

  it('remove, suspend, resume, table, status, deps and wipe_table on the devices selected', () => {
    expectSameAsDmsetup(setup(), [
      ['table', '-S', `name=~^${names.prefix}(two|lv)$`],
      ['status', '-S', `segments=2 && ${ours}`],
      ['deps', '-S', `name=${dev('upper')}`],
      ['suspend', '-S', `name=${dev('lv')}`],
      info(`suspended=Suspended && ${ours}`, '-o', 'name,suspended'),
      ['resume', '-S', `suspended=Suspended && ${ours}`],
      info(`${ours}`, '-o', 'name,suspended'),
      ['table', '-S', `name=nothing`],
      ['wipe_table', '-S', `name=${dev('two')}`],
      ['table', dev('two')],
      ['remove', '-S', `name=${dev('base')}`],
      ['remove', '-S', `name=~^${names.prefix}(two|lv)$`],
      ['ls', '-S', 'name=anything'],
      info(`${ours}`, '-o', 'name'),
      ['remove', '-S', `${ours}`],
      info(`${ours}`, '-o', 'name'),
      ['splitname', '-S', 'lv_name=lv', 'vg-lv'],
      ['splitname', '-S', 'lv_name=other', 'vg-lv'],
      ['splitname', '-S', 'name=vg-lv', 'vg-lv'],
    ]);
  });

  it('info --json -S lists the devices that dmsetup info -c -S selects', () => {
    removeDevicesWithPrefix(names.prefix);
    for (const args of setup()) expect(runDmsetup(args, { env }).status).toBe(0);
    const selections = [ours, `segments=2 && ${ours}`, `uuid=~^CRYPT && ${ours}`, `devs_used=${dev('base')}`, 'name=nothing'];
    for (const selection of selections) {
      const theirs = runDmsetup(['info', '-c', '--noheadings', '-o', 'name', '-S', selection], { env });
      const json = runTsdmsetup(['info', '--json', '-S', selection], { env });
      expect(json.status).toBe(0);
      const listed = (JSON.parse(json.stdout) as { devices: Array<{ name: string }> }).devices.map((device) => device.name);
      expect(listed).toEqual(theirs.stdout.split('\n').filter(Boolean));
    }
    const bad = runTsdmsetup(['info', '--json', '-S', 'bogus=1'], { env });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('Unrecognised selection field: bogus');
  });
});
