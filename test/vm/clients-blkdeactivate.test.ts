/**
 * Debian's blkdeactivate (from the dmsetup package) run unchanged with tsdmsetup as /sbin/dmsetup:
 * on a stack of a linear device over a loop device, a plain crypt device and a second linear
 * device on it, and an LVM LV, two carrying mounted ext4 file systems, it must print the same,
 * exit the same, call `dmsetup` with the same arguments and leave the same end state as with
 * Debian's dmsetup. blkdeactivate hard-codes /sbin/dmsetup, so each run happens in a private mount
 * namespace with a logging shim bound over it; the mounts live in that namespace too (and vanish
 * with it, whatever happened).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { endState, lvmEnvironment, makeDmsetupShim, scratchDir, shell, shellOk, type DmsetupTool } from '../helpers/clients.js';
import { deviceNames, removeDevicesWithPrefix } from '../helpers/devices.js';
import { makeLoopDevice, type LoopDevice } from '../helpers/loop.js';

const names = deviceNames('cblk');
const VG = `${names.prefix}vg`;
/** LVM's device names for VG `tsdmt-cblk-vg` start with this (dashes doubled). */
const LVM_PREFIX = 'tsdmt--cblk--vg-';

let scratch: ReturnType<typeof scratchDir> | undefined;
let lvmEnv: Record<string, string> = {};
const loops: LoopDevice[] = [];

function cleanUp(): void {
  shell(`cryptsetup close ${names.of('crypt')}`);
  shell(`vgchange -q -an ${VG}; vgremove -q -ff ${VG}; rm -rf /dev/${VG}`, lvmEnv);
  removeDevicesWithPrefix(names.prefix);
  removeDevicesWithPrefix(LVM_PREFIX);
  for (const loop of loops.splice(0)) loop.detach();
}

beforeAll(() => {
  shellOk('modprobe -a dm-crypt');
});

afterEach(() => {
  try {
    cleanUp();
  } finally {
    scratch?.remove();
    scratch = undefined;
  }
}, 120_000);

/**
 * The stack, built with Debian's tools (the part under test is the tear-down):
 * loop A → base (linear) → crypt (plain, first half; ext4, mounted) and top (linear, second half);
 * loop B → PV → VG → LV `data` (ext4, mounted). Returns the shell lines that mount both, to run in
 * the namespace blkdeactivate runs in.
 */
function buildStack(root: string): string {
  const a = makeLoopDevice(32);
  loops.push(a);
  const b = makeLoopDevice(32);
  loops.push(b);
  const half = a.sectors / 2;
  shellOk(`dmsetup create ${names.of('base')} --table '0 ${a.sectors} linear ${a.path} 0'`);
  const keyFile = join(root, 'key');
  writeFileSync(keyFile, randomBytes(32), { mode: 0o600 });
  shellOk(
    `cryptsetup open --type plain --cipher aes-xts-plain64 --key-size 256 --key-file ${keyFile} --size ${half} ` +
      `/dev/mapper/${names.of('base')} ${names.of('crypt')}`,
  );
  shellOk(`dmsetup create ${names.of('top')} --table '0 ${half} linear /dev/mapper/${names.of('base')} ${half}'`);
  shellOk(`pvcreate -q ${b.path} && vgcreate -q ${VG} ${b.path} && lvcreate -q -y -L 8M -n data ${VG}`, lvmEnv);
  shellOk(`mkfs.ext4 -q -F /dev/mapper/${names.of('crypt')} && mkfs.ext4 -q -F /dev/${VG}/data`);
  // Both runs share the root (paths appear in blkdeactivate's messages): the dirs may exist.
  mkdirSync(join(root, 'mnt-crypt'), { recursive: true });
  mkdirSync(join(root, 'mnt-lv'), { recursive: true });
  return [
    `mount /dev/mapper/${names.of('crypt')} ${root}/mnt-crypt || exit 98`,
    `mount /dev/${VG}/data ${root}/mnt-lv || exit 98`,
  ].join('\n');
}

interface Invocation {
  args: string;
  status: number;
  stdout: string;
  stderr: string;
}

/**
 * Builds the stack, then in one namespace with `which` as /sbin/dmsetup mounts it and runs
 * blkdeactivate once per argument list; returns each run's output, the dmsetup calls, the mounts
 * left just before the namespace ends, and the end state.
 */
function scenario(which: DmsetupTool, root: string, runs: string[]): unknown {
  try {
    const mounts = buildStack(root);
    const shim = makeDmsetupShim(root, which);
    const out = join(root, `out-${which}`);
    mkdirSync(out);
    const lines = [mounts];
    runs.forEach((args, i) => {
      lines.push(`blkdeactivate ${args} >${out}/${i}.out 2>${out}/${i}.err; echo $? >${out}/${i}.rc`);
    });
    lines.push(`grep ' ${root}/' /proc/mounts | cut -d' ' -f1,2 >${out}/mounts || true`);
    const result = shim.run(lines.join('\n'), lvmEnv);
    expect(result, 'the namespace script').toMatchObject({ status: 0 });
    const read = (file: string): string => readFileSync(join(out, file), 'utf8');
    const invocations: Invocation[] = runs.map((args, i) => ({
      args,
      status: Number(read(`${i}.rc`)),
      stdout: read(`${i}.out`),
      stderr: read(`${i}.err`),
    }));
    return { invocations, calls: shim.takeCalls(), mounts: read('mounts'), end: [...endState(names.prefix), ...endState(LVM_PREFIX)] };
  } finally {
    cleanUp();
  }
}

describe('blkdeactivate with tsdmsetup as /sbin/dmsetup', { timeout: 600_000 }, () => {
  it('skips what is mounted, then -u -d force,retry unmounts and tears everything down: same output, calls and end state', () => {
    scratch = scratchDir('cblk');
    lvmEnv = lvmEnvironment(scratch.path);
    const root = scratch.path;
    const runs = ['-e', '-e -u -d force,retry'];
    const theirs = scenario('dmsetup', root, runs) as { invocations: Invocation[]; calls: string[]; mounts: string; end: string[] };
    const ours = scenario('tsdmsetup', root, runs);
    expect(ours).toEqual(theirs);
    // What the scenario claims happened, with Debian's dmsetup: the first run kept the mounted
    // devices, the second removed everything through dmsetup and lvm, and nothing is left.
    expect(theirs.invocations[0]!.stdout).toContain(`[SKIP]: unmount of ${names.of('crypt')} (dm-1) mounted on ${root}/mnt-crypt`);
    expect(theirs.invocations[0]!.stdout).toContain(`[DM]: deactivating dm device ${names.of('top')} (dm-2)... done`);
    expect(theirs.invocations[1]!.stdout).toContain(`[DM]: deactivating crypt device ${names.of('crypt')}`);
    expect(theirs.invocations[1]!.stdout).toContain(`[LVM]: deactivating Logical Volume ${VG}/data... done`);
    expect(theirs.calls.some((call) => call.startsWith(`--force --retry remove ${names.of('base')}`))).toBe(true);
    expect(theirs.mounts).toBe('');
    expect(theirs.end).toEqual([]);
  });

  it('-u -l wholevg,retry on the LV alone, then the dm devices named on the command line', () => {
    scratch = scratchDir('cblk');
    lvmEnv = lvmEnvironment(scratch.path);
    const root = scratch.path;
    const runs = [`-u -l wholevg,retry /dev/${VG}/data`, `-e -u -d retry /dev/mapper/${names.of('base')}`];
    const theirs = scenario('dmsetup', root, runs) as { invocations: Invocation[]; calls: string[]; end: string[] };
    const ours = scenario('tsdmsetup', root, runs);
    expect(ours).toEqual(theirs);
    expect(theirs.invocations[0]!.stdout).toContain(`[LVM]: deactivating Volume Group ${VG}... done`);
    expect(theirs.invocations[1]!.stdout).toContain(`[DM]: deactivating dm device ${names.of('base')} (dm-0)... done`);
    expect(theirs.end).toEqual([]);
  });

  it('-e -u with -m disablequeueing (no multipathd: nothing to disable), -r wait, -d force, -l retry', () => {
    scratch = scratchDir('cblk');
    lvmEnv = lvmEnvironment(scratch.path);
    const runs = ['-e -u -m disablequeueing -r wait -d force -l retry'];
    const theirs = scenario('dmsetup', scratch.path, runs) as { invocations: Invocation[]; end: string[] };
    const ours = scenario('tsdmsetup', scratch.path, runs);
    expect(ours).toEqual(theirs);
    expect(theirs.invocations[0]!.stdout).toContain(`[DM]: deactivating crypt device ${names.of('crypt')}`);
    expect(theirs.end).toEqual([]);
  });
});
