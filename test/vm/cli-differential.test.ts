/**
 * tsdmsetup against Debian's dmsetup 1.02.185, command for command. Each scenario's steps run with
 * dmsetup from a clean state, everything is removed, then the same steps run with tsdmsetup (so
 * both get the same device numbers), and every step's exit status, stdout and stderr must be the
 * same, the program name in messages aside. Both run with DM_DISABLE_UDEV=1.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runDmsetup, runTsdmsetup } from '../helpers/cli.js';
import { deviceNames } from '../helpers/devices.js';
import { cmd, DIFFERENTIAL_ENV, Differential, type Step } from '../helpers/differential.js';
import { makeLoopDevice, type LoopDevice } from '../helpers/loop.js';

const names = deviceNames('clidiff');
const dev = names.of;
const env = DIFFERENTIAL_ENV;
const differential = new Differential(names.prefix);
const expectSameAsDmsetup = (steps: Step[]): ReturnType<Differential['expectSameAsDmsetup']> => differential.expectSameAsDmsetup(steps);

let loop: LoopDevice;
let scratch: string;

beforeAll(() => {
  loop = makeLoopDevice(16);
  scratch = mkdtempSync(join(tmpdir(), 'tsdm-clidiff-'));
});

afterEach(() => {
  differential.cleanUp();
});

afterAll(() => {
  loop?.detach();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

// Each step starts a process per tool (node's start-up dominates): allow for a slow, shared guest.
describe('tsdmsetup and dmsetup print the same', { timeout: 600_000 }, () => {
  it('create, ls, info, table, status and deps, for one device, several, and all', () => {
    const results = expectSameAsDmsetup([
      cmd('create', dev('zero'), '--table', '0 2048 zero'),
      cmd('create', dev('err'), '-u', 'CLIDIFF-ERR', '--table', '0 100 error'),
      cmd('create', dev('lin'), '--table', `0 1024 linear ${loop.path} 0`),
      cmd('create', dev('stack'), '--table', `0 512 linear /dev/mapper/${dev('lin')} 0\n512 512 linear ${loop.path} 2048`),
      cmd('ls'),
      cmd('info'),
      cmd('info', dev('err')),
      cmd('info', dev('zero'), dev('err')),
      cmd('table'),
      cmd('table', dev('stack')),
      cmd('table', dev('stack'), dev('zero')),
      cmd('status'),
      cmd('status', dev('lin')),
      cmd('deps'),
      cmd('deps', dev('stack')),
      cmd('deps', '-o', 'devname'),
      cmd('deps', '-o', 'blkdevname', dev('stack'), dev('lin')),
      cmd('ls', '-o', 'blkdevname'),
      cmd('ls', '-o', 'devname'),
      cmd('ls', '--target', 'linear'),
      cmd('table', '--target', 'linear'),
      cmd('status', '--target', 'zero'),
      cmd('table', '-v'),
      cmd('status', '-v', dev('lin')),
      cmd('deps', '-v', dev('lin'), dev('stack')),
      cmd('table', '--concise'),
      cmd('ls', '--exec', 'echo node:'),
      cmd('ls', '--exec', 'echo node:', '-v', '--target', 'zero'),
      cmd('ls', '--tree'),
      cmd('ls', '--tree', '-o', 'ascii,blkdevname,active,open,rw,uuid'),
      cmd('ls', '--tree', '-o', 'ascii,inverted'),
      cmd('ls', '--tree', '-o', 'ascii,compact'),
      cmd('ls', '--tree', '-o', 'utf,nodevice'),
      cmd('ls', '--tree', '-o', 'vt100'),
      cmd('ls', '--tree', '-o', 'bogus'),
    ]);
    // The sequence really made devices: dmsetup saw them.
    expect(results.find((r) => r.step === 'ls')?.stdout).toContain(`${dev('zero')}\t(`);
  });

  it('tables from --table, a file and stdin; load, reload, clear, suspend and resume, with -v', () => {
    const tableFile = join(scratch, 'table');
    writeFileSync(tableFile, '0 20 zero\n');
    expectSameAsDmsetup([
      cmd('create', dev('n'), '--notable'),
      cmd('info', dev('n')),
      cmd('info', '-c', dev('n')),
      cmd('table', dev('n')),
      cmd('status', dev('n')),
      cmd('deps', dev('n')),
      cmd('load', dev('n'), '--table', '0 10 zero'),
      cmd('info', dev('n')),
      cmd('table', '--inactive', dev('n')),
      cmd('info', '--inactive', dev('n')),
      cmd('resume', '-v', dev('n')),
      cmd('suspend', '-v', dev('n')),
      cmd('suspend', '--noflush', '--nolockfs', dev('n')),
      cmd('info', '-c', '-o', 'name,attr,suspended', dev('n')),
      cmd('resume', dev('n')),
      cmd('load', '-v', dev('n'), tableFile),
      { args: ['reload', dev('n')], input: '0 30 zero\n' },
      cmd('table', '--inactive', dev('n')),
      cmd('clear', '-v', dev('n')),
      { args: ['create', dev('stdin')], input: '# a comment\n\n0 8 zero # and a comment\n' },
      cmd('table', dev('stdin')),
      { args: ['create', dev('empty')], input: '' },
      cmd('info', dev('empty')),
      cmd('create', '-r', dev('ro'), '--table', '0 8 zero'),
      cmd('info', dev('ro')),
      cmd('create', '-v', dev('v'), '--table', '0 8 zero'),
      cmd('create', '-v', dev('vn'), '--notable'),
      cmd('wipe_table', dev('v')),
      cmd('table', dev('v')),
      cmd('wipe_table', '-u', 'CLIDIFF-NONE'),
      cmd('wipe_table', dev('nope')),
    ]);
  });

  it('create failures: duplicates, bad tables, bad names, kernel refusals', () => {
    const badFile = join(scratch, 'bad-table');
    writeFileSync(badFile, 'x y z\n');
    expectSameAsDmsetup([
      cmd('create', dev('a'), '-u', 'CLIDIFF-A', '--table', '0 8 zero'),
      cmd('create', dev('a'), '--table', '0 8 zero'),
      cmd('create', dev('b'), '-u', 'CLIDIFF-A', '--table', '0 8 zero'),
      cmd('create', dev('c'), '--table', 'foo'),
      cmd('create', dev('c'), badFile),
      cmd('create', dev('c'), join(scratch, 'missing')),
      { args: ['create', dev('c')], input: '0 1 zero\nbad\n' },
      cmd('create', dev('c'), '--table', '0 8 abcdefghijklmnopq'),
      cmd('create', dev('c'), '--table', '0 100 linear /dev/nonexistent 0'),
      cmd('create', dev('c'), '-u', 'CLIDIFF-C', '--table', '0 100 linear /dev/nonexistent 0'),
      cmd('create', dev('c'), '--table', '0 8 zero\n9 8 zero'),
      // (An unknown target type is the one deliberate difference: tsdmsetup names it, before any
      // device exists, where dmsetup reports the kernel's EINVAL; see test/vm-boot/target-modules.)
      cmd('create', dev('c'), '--table', '0 0 zero'),
      cmd('create', `${dev('c')}/x`, '--table', '0 1 zero'),
      cmd('create', dev('n'.repeat(128)), '--table', '0 1 zero'),
      cmd('create', '', '--table', '0 1 zero'),
      cmd('create', dev('d'), '-u', 'u'.repeat(129), '--table', '0 1 zero'),
      cmd('create'),
      cmd('ls'),
    ]);
  });

  it('missing devices, by name, -u and -j/-m', () => {
    expectSameAsDmsetup([
      cmd('info', dev('nope')),
      cmd('info', '-c', dev('nope')),
      cmd('table', dev('nope')),
      cmd('status', dev('nope')),
      cmd('deps', dev('nope')),
      cmd('remove', dev('nope')),
      cmd('suspend', dev('nope')),
      cmd('resume', dev('nope')),
      cmd('clear', dev('nope')),
      cmd('load', dev('nope'), '--table', '0 8 zero'),
      cmd('message', dev('nope'), '0', 'hello'),
      cmd('info', '-u', 'CLIDIFF-NOPE'),
      cmd('table', '-u', 'CLIDIFF-NOPE'),
      cmd('remove', '-u', 'CLIDIFF-NOPE'),
      cmd('info', '-j', '254', '-m', '999'),
      cmd('table', '-j', '254', '-m', '999'),
      cmd('deps', '-j', '254', '-m', '999'),
      cmd('status', '-j', '254', '-m', '999'),
      cmd('info', '-j', 'abc', '-m', '0'),
      cmd('info', `${names.prefix}a/b`),
      cmd('info', '/nonexistent/x'),
      cmd('info', dev('n'.repeat(128))),
    ]);
  });

  it('addressing: name, /dev/mapper path, /dev/dm-N, -u and -j/-m', () => {
    expectSameAsDmsetup([
      cmd('create', dev('p'), '-u', 'CLIDIFF-P', '-j', '254', '-m', '100', '--table', '0 8 zero'),
      cmd('create', dev('q'), '--table', `0 8 linear /dev/mapper/${dev('p')} 0`),
      cmd('info', dev('p')),
      cmd('info', `/dev/mapper/${dev('p')}`),
      cmd('info', '-u', 'CLIDIFF-P'),
      cmd('info', '-j', '254', '-m', '100'),
      cmd('table', '-u', 'CLIDIFF-P'),
      cmd('table', `/dev/mapper/${dev('p')}`, dev('q')),
      cmd('deps', '-u', 'CLIDIFF-P'),
      cmd('deps', '-j', '254', '-m', '100'),
      cmd('status', '-j', '254', '-m', '100'),
      cmd('info', '-c', '-o', 'name,devno', '-j', '254', '-m', '100'),
      cmd('remove', dev('q')),
      cmd('remove', '-j', '254', '-m', '100'),
      cmd('ls'),
    ]);
  });

  it('rename and --setuuid, onto names that exist and uuids that are set', () => {
    expectSameAsDmsetup([
      cmd('create', dev('r1'), '-u', 'CLIDIFF-R1', '--table', '0 8 zero'),
      cmd('create', dev('r2'), '--table', '0 8 zero'),
      cmd('rename', dev('r1'), dev('r2')),
      cmd('rename', dev('r1'), '--setuuid', 'CLIDIFF-OTHER'),
      cmd('rename', dev('r2'), '--setuuid', 'CLIDIFF-R2'),
      cmd('rename', dev('r2'), '--setuuid', 'CLIDIFF-R1'),
      cmd('rename', dev('r2'), `${dev('r3')}/x`),
      cmd('rename', dev('r2'), ''),
      cmd('rename', dev('r2'), dev('n'.repeat(128))),
      cmd('rename', dev('nope'), dev('r4')),
      cmd('rename', dev('r2'), dev('r3')),
      cmd('info', '-c', '-o', 'name,uuid'),
    ]);
  });

  it('the -c report: layouts, field lists, sorting, deps and tree fields', () => {
    expectSameAsDmsetup([
      cmd('create', dev('lin'), '-u', 'LVM-clidiff', '--table', `0 1024 linear ${loop.path} 0`),
      cmd('create', dev('a'), '--table', `0 512 linear /dev/mapper/${dev('lin')} 0\n512 512 linear ${loop.path} 2048`),
      cmd('create', dev('b'), '-r', '--table', `0 512 linear /dev/mapper/${dev('lin')} 512`),
      cmd('create', dev('n'), '--notable'),
      cmd('info', '-c'),
      cmd('info', '-C', dev('a')),
      cmd('info', '--columns', '--noheadings'),
      cmd('info', '-c', '--separator', ','),
      cmd('info', '-c', '--nameprefixes'),
      cmd('info', '-c', '--nameprefixes', '--unquoted', '--noheadings'),
      cmd('info', '-c', '--rows'),
      cmd('info', '-c', '--rows', '--noheadings', '-o', 'name,uuid'),
      cmd('info', '-c', '--nameprefixes', '--noheadings', '--rows', '-o', 'name,uuid,suspended', dev('a')),
      cmd('info', '-c', '-o', '+devno'),
      cmd('info', '-c', '-o', 'name,uuid,suspended,readonly,tables_loaded,devno,read_ahead'),
      cmd('info', '-c', '-o', 'name,blkdevname'),
      cmd('info', '-c', '-o', 'name_all'),
      cmd('info', '-c', '-o', 'deps_all,name'),
      cmd('info', '-c', '-o', 'tree_all,name'),
      cmd('info', '-c', '-o', 'name,subsystem,vg_name,lv_name,lv_layer'),
      cmd('info', '-c', '-o', 'name,minor', '-O', '-minor'),
      cmd('info', '-c', '-o', 'name', '-O', 'open,-name'),
      cmd('info', '-c', '-o', 'NAME,Uuid,selected'),
      cmd('info', '-c', '-o', 'help'),
      cmd('info', '-c', '-o', 'name,bogus'),
      cmd('info', '-c', '-o', 'info_major'),
      cmd('info', '-c', '-O', 'bogus'),
      cmd('table', '-c', '-O', 'name'),
      cmd('info', '-c', dev('a'), dev('nope'), dev('b')),
      cmd('info', '-c', '-o', 'name,minor', '--count', '2', '--interval', '1'),
      cmd('info', '-c', '--rows', '-o', 'name', '--count', '2', '--interval', '1'),
      cmd('ls', '--count', '2'),
    ]);
  });

  it('a busy device: remove fails, --retry tries 25 times, --deferred waits for the last close, -f wipes', () => {
    const results = expectSameAsDmsetup([
      cmd('create', dev('busy'), '--table', `0 1024 linear ${loop.path} 0`),
      { hold: dev('busy') },
      cmd('remove', dev('busy')),
      cmd('remove', '--retry', dev('busy')),
      cmd('info', dev('busy')),
      cmd('remove', '--deferred', dev('busy')),
      cmd('info', dev('busy')),
      cmd('message', dev('busy'), '0', '@cancel_deferred_remove'),
      cmd('info', '-c', '-o', 'name,open', dev('busy')),
      cmd('remove', '-f', dev('busy')),
      cmd('table', dev('busy')),
      cmd('remove', '--deferred', dev('busy')),
      { release: true },
      cmd('info', dev('busy')),
      cmd('create', dev('x'), '--table', '0 8 zero'),
      cmd('create', dev('y'), '--table', '0 8 zero'),
      { hold: dev('y') },
      cmd('remove_all'),
      cmd('ls'),
      cmd('remove_all', '-f'),
      cmd('ls'),
      { release: true },
      cmd('remove', dev('y'), dev('x')),
    ]);
    expect(results.find((r) => r.step.startsWith('remove --retry'))?.stderr?.match(/Device or resource busy/g)).toHaveLength(25);
  });

  it('message, setgeometry, wait, targets and target-version', () => {
    expectSameAsDmsetup([
      cmd('create', dev('m'), '--table', '0 8 zero'),
      cmd('message', dev('m'), '0', '@stats_list'),
      cmd('message', dev('m'), '0', '@stats_create', '-', '/1'),
      cmd('message', dev('m'), '0', '@stats_list'),
      cmd('message', dev('m'), '0', 'hello'),
      cmd('message', dev('m'), 'x', 'hello'),
      cmd('message', dev('m'), '0'),
      cmd('message', '-u', 'CLIDIFF-NOPE', '0', 'hello'),
      cmd('setgeometry', dev('m'), '1', '2', '3', '4'),
      cmd('setgeometry', dev('m'), '100000', '2', '3', '4'),
      cmd('wait', '-v', dev('m'), '1'),
      cmd('wait', dev('m'), '5'),
      cmd('wait'),
      cmd('wait', dev('nope')),
      cmd('wait', '-u', 'CLIDIFF-NOPE', '3'),
      cmd('targets'),
      cmd('target-version', 'zero', 'linear'),
      cmd('target-version', 'nosuchtarget'),
      cmd('target-version', 'zero', 'nosuchtarget', 'linear'),
    ]);
  });

  it('crypt keys hidden unless --showkeys; table --concise and create --concise', () => {
    const key = '0123456789abcdef0123456789abcdef';
    expectSameAsDmsetup([
      cmd('create', dev('cr'), '--table', `0 8 crypt aes-cbc-essiv:sha256 ${key} 0 ${loop.path} 0`),
      cmd('table', dev('cr')),
      cmd('table', '--showkeys', dev('cr')),
      cmd('status', dev('cr')),
      cmd('create', '--concise', `${dev('c1')},,,,0 8 zero;${dev('c2')},CLIDIFF-C2,,ro,0 8 zero,8 8 error`),
      { args: ['create', '--concise'], input: `${dev('c3')},,,rw,0 8 zero\n` },
      cmd('table', '--concise'),
      cmd('table', '--concise', '--showkeys', dev('cr'), dev('c2')),
      cmd('create', '--concise', `${dev('c4')},,,rx,0 8 zero`),
      cmd('create', '--concise', `${dev('c4')},,`),
      cmd('create', '--concise', '-u', 'x', `${dev('c4')},,,,0 8 zero`),
    ]);
  });

  it('usage and option errors', () => {
    expectSameAsDmsetup([
      cmd(),
      cmd('frobnicate'),
      cmd('remove_all', 'x'),
      cmd('-x', 'info'),
      cmd('--no', 'version'),
      cmd('--notable', '--table', 'x', 'create', dev('e')),
      cmd('-j', '1', 'info'),
      cmd('info', '-o', 'name'),
      cmd('deps', '-o', 'bogus,x'),
      cmd('load', '--notable', dev('e')),
      cmd('load'),
      cmd('wait'),
      cmd('help'),
      cmd('help', '-c'),
      cmd('--help', 'info'),
    ]);
  });
});

describe('version', () => {
  it('prints the same driver version as dmsetup, after our library line', () => {
    const theirs = runDmsetup(['version'], { env });
    const ours = runTsdmsetup(['version'], { env });
    expect(ours.status).toBe(theirs.status);
    expect(ours.stdout.split('\n')[1]).toBe(theirs.stdout.split('\n')[1]);
    expect(ours.stdout).toMatch(/^Library version: {3}1\.02\.185 \(tsdmsetup [^)]+\)\n/);
  });
});
