/**
 * Every command against every option group it takes, tsdmsetup against Debian's dmsetup 1.02.185
 * (test/helpers/differential.ts: same stdout, stderr and exit status for every step, both with
 * DM_DISABLE_UDEV=1): `-v` on each command, the flags (--noopencount, --checks, --inactive,
 * --noflush, --nolockfs, -y, --addnodeon*, --readahead), the report switches (--unbuffered,
 * --unquoted, --nameprefixes, --rows, --separator, --sort, --count/--interval), the --help
 * variants, and the error cases: wrong argument counts, bad values, bad selections, mixed mangling.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deviceNames } from '../helpers/devices.js';
import { cmd, Differential, type Step } from '../helpers/differential.js';
import { makeLoopDevice, type LoopDevice } from '../helpers/loop.js';

const names = deviceNames('cliopt');
const dev = names.of;
const differential = new Differential(names.prefix);
const zero = ['--table', '0 8 zero'];
/** Selections and listings keep to this file's devices. */
const ours = `name=~^${names.prefix}`;

let loop: LoopDevice;

beforeAll(() => {
  loop = makeLoopDevice(16);
});

afterEach(() => {
  differential.cleanUp();
});

afterAll(() => {
  differential.printTally('cli-differential-options');
  loop?.detach();
});

const same = (steps: Step[]): ReturnType<Differential['expectSameAsDmsetup']> => differential.expectSameAsDmsetup(steps);

// Each step starts a process per tool (node's start-up dominates): allow for a slow, shared guest.
describe('every command and option group: tsdmsetup and dmsetup print the same', { timeout: 600_000 }, () => {
  it('-v on each command, and --verbose=N', () => {
    const results = same([
      cmd('create', '-v', dev('a'), '--table', `0 64 linear ${loop.path} 0`),
      cmd('create', '-v', dev('b'), '-u', 'CLIOPT-B', ...zero),
      cmd('create', '-v', '-n', dev('n')),
      cmd('ls', '-v'),
      cmd('info', '-v', dev('a')),
      cmd('info', '-c', '-v', '-S', ours),
      cmd('suspend', '-v', dev('a'), dev('b')),
      cmd('resume', '-v', dev('a'), dev('b')),
      cmd('load', '-v', dev('n'), '--table', '0 16 zero'),
      cmd('clear', '-v', dev('n')),
      cmd('reload', '-v', dev('n'), '--table', '0 16 zero'),
      cmd('table', '-v', dev('a'), dev('b')),
      cmd('status', '-v', dev('n')),
      cmd('deps', '-v', dev('a')),
      cmd('rename', '-v', dev('b'), dev('c')),
      cmd('rename', '-v', dev('c'), '--setuuid', 'CLIOPT-C'),
      cmd('message', '-v', dev('c'), '0', 'hello'),
      cmd('mknodes', '-v', dev('a')),
      cmd('mangle', '-v', dev('a')),
      cmd('setgeometry', '-v', dev('a'), '1', '2', '3', '4'),
      cmd('wipe_table', '-v', dev('c')),
      cmd('targets', '-v'),
      cmd('target-version', '-v', 'zero', 'linear'),
      cmd('splitname', '-v', 'vg-lv'),
      cmd('--verbose=1', 'info', dev('a')),
      cmd('--verbose', 'info', dev('a')),
      cmd('remove', '-v', dev('a')),
      cmd('remove', '-v', dev('c'), dev('n')),
      cmd('ls', '-v'),
    ]);
    expect(results.find((r) => r.step.startsWith('info -v'))?.stdout).toContain(`Name:              ${dev('a')}`);
  });

  it('-vv and -vvv: the debug lines of each ioctl and node operation, in dmsetup\'s order and words', () => {
    // Not the lines libdm has and we do not (its udev notice, sysfs misses, <backtrace>, the
    // timestamps' values), nor our target check's `dm target-version` before a table is loaded.
    const debugLine = (line: string): boolean =>
      /^dm (?!target-version )|^(Created|Removed|Renamed) |: (Stacking|Processing) NODE_| read ahead is /.test(line);
    const vv = (...args: string[]): Step => cmd('-vv', ...args);
    const results = differential.expectSameLinesAsDmsetup(
      [
        vv('create', dev('a'), '--table', `0 64 linear ${loop.path} 0`),
        vv('create', dev('b'), '-u', 'CLIOPT-VV', '--notable'),
        vv('load', dev('b'), ...zero),
        vv('resume', '--noflush', dev('b')),
        vv('suspend', '--nolockfs', dev('b')),
        vv('resume', dev('b')),
        vv('info', dev('a')),
        vv('info', '-c', '-S', ours),
        vv('table', '--inactive', dev('a')),
        vv('status', dev('a'), dev('b')),
        vv('deps', dev('a')),
        vv('message', dev('b'), '0', 'hello'),
        vv('rename', dev('b'), dev('c')),
        vv('rename', dev('c'), '--setuuid', 'CLIOPT-C'),
        vv('info', '--noopencount', dev('c')),
        cmd('-vvv', 'remove', dev('c')),
        vv('remove', '-f', dev('a')),
        vv('info', dev('nope')),
      ],
      debugLine,
    );
    expect(results[0]?.stdout).toMatch(/^dm create .*\ndm reload .*\ndm resume /m);
  });

  it('--noopencount, --checks, --inactive, --noflush, --nolockfs, -y on the commands that take them', () => {
    same([
      cmd('create', dev('a'), '--noopencount', '--checks', '--table', `0 64 linear ${loop.path} 0`),
      cmd('create', dev('i'), '--inactive', '--notable'),
      cmd('info', '--noopencount', dev('a')),
      cmd('info', '-c', '--noopencount', '-o', 'name,open', dev('a')),
      cmd('load', '--checks', dev('i'), '--table', '0 8 zero'),
      cmd('reload', '--checks', '--noopencount', dev('i'), '--table', '0 16 zero'),
      cmd('info', '--inactive', dev('i')),
      cmd('info', '-c', '--inactive', '-o', 'name,attr,segments', dev('i')),
      cmd('table', '--inactive', dev('i')),
      cmd('status', '--inactive', dev('i')),
      cmd('deps', '--inactive', dev('i')),
      cmd('ls', '--inactive', '--target', 'zero'),
      cmd('table', '--inactive', '--target', 'zero', dev('i')),
      cmd('status', '--noflush', dev('a')),
      cmd('suspend', '--noflush', dev('a')),
      cmd('resume', '--noflush', '--nolockfs', dev('a')),
      cmd('suspend', '--nolockfs', '--noopencount', dev('a')),
      cmd('resume', dev('a')),
      cmd('wipe_table', '--noflush', '--nolockfs', dev('i')),
      cmd('table', dev('i')),
      cmd('remove', '-y', '--noopencount', dev('i')),
      cmd('remove', '--retry', '-y', dev('a')),
      cmd('remove', '--noflush', dev('nope')),
      cmd('ls', '--noopencount'),
    ]);
  });

  it('--addnodeoncreate, --addnodeonresume and --readahead on create and resume', () => {
    const node: Step = { shell: `ls /dev/mapper | grep '^${names.prefix}' || true`, capture: true };
    same([
      cmd('create', dev('c'), '--addnodeoncreate', '--notable'),
      node,
      cmd('create', dev('r'), '--addnodeonresume', '--notable'),
      node,
      cmd('load', dev('r'), ...zero),
      cmd('resume', '--addnodeonresume', dev('r')),
      node,
      cmd('create', dev('x'), '--addnodeoncreate', '--addnodeonresume', ...zero),
      cmd('create', dev('ra1'), '--readahead', '512', '--table', `0 64 linear ${loop.path} 0`),
      cmd('create', dev('ra2'), '--readahead', '+16', '--table', `0 64 linear ${loop.path} 0`),
      cmd('create', dev('ra3'), '--readahead', 'none', '--table', `0 64 linear ${loop.path} 0`),
      cmd('create', dev('ra4'), '--readahead', 'AUTO', '--table', `0 64 linear ${loop.path} 0`),
      cmd('info', '-c', '-o', 'name,read_ahead', '-O', 'name', '-S', ours),
      cmd('suspend', dev('ra1')),
      cmd('resume', '--readahead', '1024', dev('ra1')),
      cmd('info', '-c', '-o', 'name,read_ahead', dev('ra1')),
      cmd('create', dev('bad'), '--readahead', '-2', ...zero),
      cmd('create', dev('bad'), '--readahead', '-1', ...zero),
      cmd('info', '-c', '-o', 'name,read_ahead', dev('bad')),
    ]);
  });

  it('report switches: --unbuffered, --unquoted, --nameprefixes, --rows, --separator, --sort, --count', () => {
    same([
      cmd('create', dev('a'), '-u', 'CLIOPT-A', ...zero),
      cmd('create', dev('b'), '--table', '0 16 zero\n16 16 error'),
      cmd('info', '-c', '--unbuffered', '-S', ours),
      cmd('info', '-c', '--nameprefixes', '--unquoted', '-S', ours),
      cmd('info', '-c', '--nameprefixes', '--separator', '|', '-S', ours),
      cmd('info', '-c', '--rows', '--separator', ',', '-S', ours),
      cmd('info', '-c', '--rows', '--nameprefixes', '-o', 'name,uuid', '-S', ours),
      cmd('info', '-c', '--separator', '', '-o', 'name,segments', '-S', ours),
      cmd('info', '-c', '-O', '-name', '-o', 'name,segments', '-S', ours),
      cmd('info', '-c', '-O', 'segments,name', '-o', 'name', '-S', ours),
      cmd('info', '-c', '-O', '-segments,-uuid', '-S', ours),
      cmd('info', '-c', '-O', 'bogus', '-S', ours),
      cmd('info', '-c', '-O', 'help'),
      cmd('info', '-c', '-o', 'name,bogus'),
      cmd('info', '-c', '-o', ''),
      cmd('info', '-c', '-o', 'name', '--noheadings', '--count', '2', dev('a')),
      cmd('info', '--count', '2', dev('a')),
      cmd('table', '--count', '2', dev('a')),
      cmd('status', '--count', '2', '--interval', '1', dev('b')),
      cmd('deps', '--count', '2', dev('a')),
      cmd('info', '--count', '-1', dev('a')),
      cmd('info', '--interval', '0', dev('a')),
      cmd('info', '--interval', 'x', dev('a')),
      cmd('table', '-c', '--sort', 'name', dev('a')),
      cmd('status', '-c', '-O', 'name', dev('a')),
      cmd('splitname', '--rows', '--separator', '=', 'vg-lv-snap'),
      cmd('splitname', '--nameprefixes', '--unquoted', 'vg-lv'),
      cmd('splitname', '-o', 'vg_name,lv_name', '-O', '-lv_name', '--noheadings', 'a-b'),
    ]);
  });

  it('--help variants, usage and argument counts', () => {
    same([
      cmd('help'),
      cmd('help', '-c'),
      cmd('help', '--columns'),
      cmd('-h'),
      cmd('--help', 'remove'),
      cmd('-h', '-c', 'info'),
      cmd('--he'),
      cmd('help', 'x'),
      cmd(),
      cmd('nosuchcommand'),
      cmd('rename'),
      cmd('rename', 'a', 'b', 'c'),
      cmd('message', 'a'),
      cmd('setgeometry', 'a', '1', '2', '3'),
      cmd('setgeometry', 'a', '1', '2', '3', '4', '5'),
      cmd('splitname'),
      cmd('splitname', 'a', 'b', 'c'),
      cmd('target-version'),
      cmd('ls', 'x'),
      cmd('version', 'x'),
      cmd('targets', 'x'),
      cmd('remove_all', 'x'),
      cmd('wait', 'a', '1', '2'),
      cmd('load', 'a', 'b', 'c'),
      cmd('create', 'a', 'b', 'c'),
      cmd('udevflags'),
      cmd('udevcomplete', '1', '2'),
      cmd('info', '-j', '254'),
      cmd('info', '--table', '0 1 zero', '--notable'),
      cmd('--mode', '0', 'info'),
      cmd('--mode', '9', 'info'),
      cmd('--bogus', 'info'),
      cmd('-x', 'info'),
      cmd('-o'),
      cmd('--manglename', 'odd', 'info'),
    ]);
  });

  it('-S on each command that takes it, bad selections, and mixed mangling', () => {
    same([
      cmd('create', dev('a'), '-u', 'CLIOPT-A', ...zero),
      cmd('create', dev('b'), '--table', `0 64 linear ${loop.path} 0`),
      cmd('table', '-S', `${ours} && segments=1`),
      cmd('status', '-S', `uuid=CLIOPT-A`),
      cmd('deps', '-S', `name=${dev('b')}`),
      cmd('suspend', '-S', `name=${dev('a')}`),
      cmd('info', '-c', '-o', 'name,suspended', '-S', ours),
      cmd('resume', '-S', 'suspended=1'),
      cmd('wipe_table', '-S', `name=${dev('a')}`),
      cmd('info', '-S', ours),
      cmd('info', '-c', '-S', 'bogus=1'),
      cmd('info', '-c', '-S', 'name='),
      cmd('info', '-c', '-S', 'name=~['),
      cmd('info', '-c', '-S', `(${ours}`),
      cmd('info', '-c', '-S', 'open>abc'),
      cmd('info', '-c', '-S', 'open>1k'),
      cmd('info', '-c', '-S', '&&'),
      cmd('table', '-S', 'bogus=1'),
      cmd('remove', '-S', 'name=nothing'),
      cmd('remove', '-S', ours, dev('a')),
      cmd('ls', '-S', ours),
      cmd('create', dev('m\\x20 x'), ...zero),
      cmd('create', dev('m'), '-u', 'A\\x20 B', ...zero),
      cmd('info', dev('m\\x20 x')),
      cmd('--manglename', 'hex', 'info', dev('a')),
      cmd('--manglename', 'none', 'info', dev('m\\x20 x')),
      cmd('remove', '-S', ours),
      cmd('ls'),
    ]);
  });
});
