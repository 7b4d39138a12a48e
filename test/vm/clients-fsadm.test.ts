/**
 * `lvresize -r` (LVM's fsadm) on an LV carrying LUKS2 and a mounted ext4, with tsdmsetup bound
 * over /sbin/dmsetup (test/helpers/clients.ts: a private mount namespace) and with Debian's
 * dmsetup: fsadm finds the crypt device with `dmsetup info -c --noheadings -S
 * "UUID=~^CRYPT-LUKS2-<uuid>-&&segments=1&&devnos_used='MAJ:MIN'" -o name`, resizes it with
 * cryptsetup and the file system with resize2fs. Same output, exit status, dmsetup calls and end
 * state (LV, crypt device and file system all grown) with either tool.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { endState, lvmEnvironment, makeDmsetupShim, normaliseProgram, scratchDir, shell, shellOk, type DmsetupTool } from '../helpers/clients.js';
import { deviceNames, removeDevicesWithPrefix } from '../helpers/devices.js';
import { makeLoopDevice, type LoopDevice } from '../helpers/loop.js';

const names = deviceNames('cfsadm');
const VG = names.of('vg');
const LV_DEV = `${VG.replace(/-/g, '--')}-data`;
const CRYPT = names.of('crypt');
const LUKS_UUID = '5a1e0000-1111-4222-8333-444455556666';

let scratch: ReturnType<typeof scratchDir> | undefined;
let lvmEnv: Record<string, string> = {};
const loops: LoopDevice[] = [];

beforeAll(() => {
  shellOk('modprobe -a dm-crypt');
});

function cleanUp(): void {
  shell(`cryptsetup close ${CRYPT}`);
  shell(`vgchange -q -an ${VG}; vgremove -q -ff ${VG}`, lvmEnv);
  removeDevicesWithPrefix(names.prefix);
  removeDevicesWithPrefix(LV_DEV);
  shell(`rm -rf /dev/${VG}`);
  for (const loop of loops.splice(0)) loop.detach();
}

afterEach(() => {
  try {
    cleanUp();
  } finally {
    scratch?.remove();
    scratch = undefined;
  }
}, 180_000);

interface Outcome {
  status: number;
  stdout: string;
  stderr: string;
  calls: string[];
  sizes: string;
  end: string[];
}

/** The stack made from scratch, then `lvresize -r -L +8M` run in the namespace where `tool` is /sbin/dmsetup. */
function scenario(tool: DmsetupTool, dir: string, keyFile: string, volumeKeyFile: string): Outcome {
  try {
    const loop = makeLoopDevice(64);
    loops.push(loop);
    shellOk(`pvcreate -q ${loop.path} && vgcreate -q ${VG} ${loop.path} && lvcreate -q -y -L 24M -n data ${VG}`, lvmEnv);
    shellOk(
      `cryptsetup luksFormat -q --type luks2 --pbkdf pbkdf2 --pbkdf-force-iterations 1000 --uuid ${LUKS_UUID} ` +
        `--volume-key-file ${volumeKeyFile} --key-file ${keyFile} /dev/${VG}/data`,
    );
    // The key in the table, not the kernel keyring: cryptsetup resize then needs no passphrase.
    shellOk(`cryptsetup open --disable-keyring --key-file ${keyFile} /dev/${VG}/data ${CRYPT} && mkfs.ext4 -q -F /dev/mapper/${CRYPT}`);
    const mnt = join(dir, 'mnt');
    const out = join(dir, `out-${tool}`);
    shellOk(`mkdir -p ${mnt} ${out}`);
    const shim = makeDmsetupShim(dir, tool);
    const script = [
      `mount /dev/mapper/${CRYPT} ${mnt} || exit 98`,
      `lvresize -r -L +8M ${VG}/data >${out}/out 2>${out}/err; echo $? >${out}/rc`,
      `{ blockdev --getsz /dev/${VG}/data /dev/mapper/${CRYPT}; df -k --output=size ${mnt} | tail -1; } >${out}/sizes`,
      `umount ${mnt}`,
    ].join('\n');
    const result = shim.run(script, lvmEnv);
    expect(result, 'the namespace script').toMatchObject({ status: 0 });
    const read = (file: string): string => normaliseProgram(readFileSync(join(out, file), 'utf8'));
    return {
      status: Number(read('rc')),
      stdout: read('out'),
      stderr: read('err'),
      calls: shim.takeCalls(),
      sizes: read('sizes'),
      end: [...endState(names.prefix), ...endState(LV_DEV)],
    };
  } finally {
    cleanUp();
  }
}

describe('lvresize -r (fsadm) on LUKS2 + ext4 with tsdmsetup as /sbin/dmsetup', { timeout: 600_000 }, () => {
  it('grows the LV, the crypt device and the file system: same output, calls and end state as with dmsetup', () => {
    scratch = scratchDir('cfsadm');
    lvmEnv = lvmEnvironment(scratch.path);
    const keyFile = join(scratch.path, 'key');
    const volumeKeyFile = join(scratch.path, 'volume-key');
    writeFileSync(keyFile, randomBytes(32), { mode: 0o600 });
    writeFileSync(volumeKeyFile, randomBytes(64), { mode: 0o600 });
    const theirs = scenario('dmsetup', scratch.path, keyFile, volumeKeyFile);
    const ours = scenario('tsdmsetup', scratch.path, keyFile, volumeKeyFile);
    expect(ours).toEqual(theirs);
    // What happened, with Debian's dmsetup: fsadm asked for the crypt device by selection, and
    // everything grew from 24 MiB to 32 MiB (the crypt device and fs less LUKS2's 16 MiB header).
    expect(theirs.status).toBe(0);
    expect(theirs.calls.some((call) => call.includes(`-S UUID=~^CRYPT-LUKS2-${LUKS_UUID.replace(/-/g, '')}-&&segments=1&&devnos_used=`))).toBe(true);
    const [lvSectors, cryptSectors, fsKiB] = theirs.sizes.trim().split(/\s+/).map(Number);
    expect(lvSectors).toBe(32 * 2048);
    expect(cryptSectors).toBe((32 - 16) * 2048);
    expect(fsKiB).toBeGreaterThan(12 * 1024);
    // The end state (taken before the clean-up): both devices there with their grown tables.
    expect(theirs.end.filter((line) => /^ {2}0 (65536 linear|32768 crypt) /.test(line))).toHaveLength(2);
  });
});
