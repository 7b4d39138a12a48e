/**
 * LVM2 (Debian's lvm 2.03.16) and tsdmsetup on the same devices: what dmsetup prints about LVM's
 * volumes (linear, snapshot, thin pool + thin), ours must print byte for byte; dmsetup operations
 * on LVM's devices done by either tool leave LVM able to deactivate them with the same messages and
 * end state; and LVM builds a volume group on a device either tool made. No udev: lvm runs with
 * udev_sync/udev_rules off and both dmsetups with DM_DISABLE_UDEV=1.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runDmsetup, runTsdmsetup, type ProcessResult } from '../helpers/cli.js';
import { endState, lvmEnvironment, normaliseProgram, scratchDir, shell, shellOk, type DmsetupTool } from '../helpers/clients.js';
import { removeDevicesWithPrefix, TEST_PREFIX } from '../helpers/devices.js';
import { makeLoopDevice, type LoopDevice } from '../helpers/loop.js';

const VG = `${TEST_PREFIX}clvm-vg`;
const VG2 = `${TEST_PREFIX}clvm-on-dm`;
const PV_DEV = `${TEST_PREFIX}clvm-pv`;
/** LVM doubles the dashes in a VG or LV name for its device names: all start with this. */
const DM_PREFIX = 'tsdmt--clvm--';
/** The device name of LV `lv` (no layer) in `vg`. */
const LV = (lv: string, vg = VG): string => `${vg.replace(/-/g, '--')}-${lv.replace(/-/g, '--')}`;
const env = { DM_DISABLE_UDEV: '1' };

let scratch: ReturnType<typeof scratchDir> | undefined;
let lvmEnv: Record<string, string> = {};
const loops: LoopDevice[] = [];

function lvm(command: string): ProcessResult {
  return shell(command, lvmEnv);
}

function lvmOk(command: string): string {
  return shellOk(command, lvmEnv);
}

function tool(which: DmsetupTool, args: string[]): ProcessResult {
  const result = (which === 'dmsetup' ? runDmsetup : runTsdmsetup)(args, { env });
  return { status: result.status, stdout: normaliseProgram(result.stdout), stderr: normaliseProgram(result.stderr) };
}

/** A VG on a fresh loop device with a linear LV, a snapshot of it, a thin pool and a thin LV. */
function makeVolumes(): LoopDevice {
  const loop = makeLoopDevice(64);
  loops.push(loop);
  lvmOk(`pvcreate -q ${loop.path} && vgcreate -q ${VG} ${loop.path}`);
  lvmOk(`lvcreate -q -y -L 8M -n lv-one ${VG}`);
  lvmOk(`lvcreate -q -y -s -L 4M -n lv-snap ${VG}/lv-one`);
  lvmOk(`lvcreate -q -y -L 16M -T ${VG}/thin-pool`);
  lvmOk(`lvcreate -q -y -V 32M -T ${VG}/thin-pool -n thin-lv`);
  return loop;
}

/** Deactivates and removes the test VGs, then whatever device is left, then the loop devices. */
function cleanUp(): void {
  for (const vg of [VG, VG2]) lvm(`vgchange -q -an ${vg}; vgremove -q -ff ${vg}`);
  removeDevicesWithPrefix(DM_PREFIX);
  removeDevicesWithPrefix(PV_DEV);
  // lvm keeps /dev/<vg> links in the guest's devtmpfs; a failed run may leave the directory.
  shell(`rm -rf /dev/${VG} /dev/${VG2}`);
  for (const loop of loops.splice(0)) loop.detach();
}

beforeAll(() => {
  // lvm runs /sbin/modprobe itself, which cannot find UML's modules: load the targets it needs here.
  shellOk('modprobe -a dm-snapshot dm-thin-pool');
});

afterEach(() => {
  try {
    cleanUp();
  } finally {
    scratch?.remove();
    scratch = undefined;
  }
}, 180_000);

function setUp(accept?: string[]): void {
  scratch = scratchDir('clvm');
  lvmEnv = lvmEnvironment(scratch.path, accept);
}

describe('LVM2 volumes seen by tsdmsetup and dmsetup', { timeout: 600_000 }, () => {
  it('ls, ls --tree, info, info -c with every field, table, status, deps and splitname print the same', () => {
    setUp();
    makeVolumes();
    const devices = shellOk(`dmsetup ls | cut -f1`, env).split('\n').filter((name) => name.startsWith(DM_PREFIX));
    // The stack LVM builds: origin and snapshot over -real and -cow layers, a pool over tdata/tmeta.
    const vg = 'tsdmt--clvm--vg';
    expect(devices.sort()).toEqual(
      ['lv--one', 'lv--one-real', 'lv--snap', 'lv--snap-cow', 'thin--lv', 'thin--pool', 'thin--pool-tpool', 'thin--pool_tdata', 'thin--pool_tmeta']
        .map((lv) => `${vg}-${lv}`)
        .sort(),
    );
    // Each step is two node/dmsetup processes in a slow guest: the list covers every command and
    // field group once, and the per-device forms on the layered devices.
    const fields = 'name_all,info_all,deps_all,splitname_all';
    const steps: string[][] = [
      ['ls'],
      ['ls', '--tree'],
      ['ls', '--tree', '-o', 'ascii,compact'],
      ['info'],
      ['info', '-c', '-o', fields],
      ['info', '-c', '-o', fields, '--noheadings', '--separator', ':', '--sort', 'lv_name'],
      ['info', '-c', '--rows', '-o', 'name,vg_name,lv_name,lv_layer,subsystem'],
      ['table'],
      ['status'],
      ['status', '--target', 'snapshot'],
      ['deps', '-o', 'devname'],
      ['info', `${vg}-lv--snap-cow`],
      ['splitname', `${vg}-thin--pool_tdata`, 'LVM'],
      ['splitname', '--nameprefixes', '--noheadings', '--rows', `${vg}-lv--one-real`, 'LVM'],
      ['info', '-c', '--nameprefixes', '--noheadings', '--rows', '-o', 'name,uuid,suspended', `${vg}-thin--lv`],
      ['splitname', `${vg}-x`],
    ];
    for (const args of steps) {
      expect(tool('tsdmsetup', args), args.join(' ')).toEqual(tool('dmsetup', args));
    }
  });

  it('suspend, resume, rename and remove on LVM devices by either tool: LVM deactivates the rest the same way', () => {
    setUp();
    const run = (which: DmsetupTool): unknown[] => {
      makeVolumes();
      const record: unknown[] = [];
      const step = (args: string[]): void => {
        record.push([args.join(' '), tool(which, args)]);
      };
      const lvmStep = (command: string): void => {
        record.push([command, lvm(command)]);
      };
      step(['suspend', LV('lv-one')]);
      step(['info', '-c', '-o', 'name,attr,open,segments', '--sort', 'name']);
      step(['resume', LV('lv-one')]);
      step(['suspend', '--nolockfs', '--noflush', LV('thin-lv')]);
      step(['resume', LV('thin-lv')]);
      step(['rename', LV('lv-snap'), `${DM_PREFIX}renamed`]);
      step(['ls', '--tree']);
      step(['rename', `${DM_PREFIX}renamed`, LV('lv-snap')]);
      step(['remove', LV('thin-lv')]);
      step(['remove', LV('thin-lv')]);
      lvmStep(`lvs --noheadings -o lv_name,lv_attr,lv_size --sort lv_name ${VG}`);
      lvmStep(`lvchange -an ${VG}/lv-one`);
      step(['ls', '--tree']);
      lvmStep(`vgchange -an ${VG}`);
      record.push(['end state', endState(DM_PREFIX)]);
      cleanUp();
      return record;
    };
    const theirs = run('dmsetup');
    const ours = run('tsdmsetup');
    expect(ours).toEqual(theirs);
    // The scenario did what it claims: after vgchange -an nothing of the VG is active.
    expect(theirs.at(-1)).toEqual(['end state', []]);
    expect(theirs[0]).toEqual([`suspend ${LV('lv-one')}`, { status: 0, stdout: '', stderr: '' }]);
  });

  it('LVM makes a VG and an LV on a device made by either tool, and either removes it afterwards', () => {
    // Only the device-mapper device: with its loop device visible too LVM sees a duplicate PV.
    setUp([`^/dev/mapper/${PV_DEV}$`]);
    const run = (which: DmsetupTool): unknown[] => {
      const loop = makeLoopDevice(32);
      loops.push(loop);
      const record: unknown[] = [];
      const step = (args: string[]): void => {
        record.push([args.join(' '), tool(which, args)]);
      };
      const lvmStep = (command: string): void => {
        const result = lvm(command);
        const uuids = /[A-Za-z0-9]{6}(-[A-Za-z0-9]{4}){5}-[A-Za-z0-9]{6}/g;
        record.push([command, { ...result, stdout: result.stdout.replace(uuids, '<uuid>'), stderr: result.stderr.replace(uuids, '<uuid>') }]);
      };
      step(['create', PV_DEV, '--table', `0 ${loop.sectors} linear ${loop.path} 0`]);
      lvmStep(`pvcreate /dev/mapper/${PV_DEV}`);
      lvmStep(`vgcreate ${VG2} /dev/mapper/${PV_DEV}`);
      lvmStep(`lvcreate -y -L 8M -n inner ${VG2}`);
      lvmStep(`pvs --noheadings -o pv_name,vg_name,pv_size,pv_uuid /dev/mapper/${PV_DEV}`);
      lvmStep(`lvs --noheadings -o lv_name,vg_name,lv_size,devices ${VG2}`);
      step(['ls', '--tree']);
      step(['info', '-c', '-o', 'name,open,devs_used,names_using_dev,vg_name,lv_name', '--sort', 'name']);
      step(['remove', PV_DEV]);
      lvmStep(`vgchange -an ${VG2}`);
      lvmStep(`vgremove -f ${VG2}`);
      step(['remove', PV_DEV]);
      record.push(['end state', endState(PV_DEV), endState(LV('', VG2))]);
      loops.splice(loops.indexOf(loop), 1);
      loop.detach();
      return record;
    };
    const theirs = run('dmsetup');
    const ours = run('tsdmsetup');
    expect(ours).toEqual(theirs);
    expect(theirs.at(-1)).toEqual(['end state', [], []]);
    // LVM really used the device: lvs listed the LV on it.
    const lvs = theirs.find((entry) => String((entry as [string])[0]).startsWith('lvs ')) as [string, ProcessResult];
    expect(lvs[1]).toMatchObject({ status: 0, stdout: expect.stringContaining(`inner ${VG2}`) });
  });
});
