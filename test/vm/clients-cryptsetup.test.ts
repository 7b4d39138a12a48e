/**
 * cryptsetup (Debian's 2.6.1) and tsdmsetup on the same devices: for a plain and a LUKS2 device that
 * `cryptsetup open` made on a loop device, ours prints what dmsetup prints for table (keys hidden),
 * table --showkeys, status, info, info -c, deps and ls, removes it the same way, and cryptsetup
 * still sees and closes a device after either tool suspended and resumed it. Each scenario runs
 * once with dmsetup and once with tsdmsetup from the same clean state; both with DM_DISABLE_UDEV=1.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runDmsetup, runTsdmsetup, type ProcessResult } from '../helpers/cli.js';
import { endState, normaliseProgram, scratchDir, shell, shellOk, type DmsetupTool } from '../helpers/clients.js';
import { deviceNames, removeDevicesWithPrefix } from '../helpers/devices.js';
import { makeLoopDevice, type LoopDevice } from '../helpers/loop.js';

const names = deviceNames('ccrypt');
const env = { DM_DISABLE_UDEV: '1' };
/** A fixed LUKS2 header uuid, so that both runs get the same device uuid and keyring key names. */
const LUKS_UUID = '5b0e4a8e-6c1d-4f3a-9a57-0d2f3c9e1b44';

let scratch: ReturnType<typeof scratchDir> | undefined;
const loops: LoopDevice[] = [];

function tool(which: DmsetupTool, args: string[]): ProcessResult {
  const result = (which === 'dmsetup' ? runDmsetup : runTsdmsetup)(args, { env });
  return { status: result.status, stdout: normaliseProgram(result.stdout), stderr: normaliseProgram(result.stderr) };
}

/** `cryptsetup status` names the loop device's backing file, a fresh scratch file per run. */
function cryptsetup(command: string): ProcessResult {
  const result = shell(command);
  return { ...result, stdout: result.stdout.replace(/(loop: +)\S+\/(disk-\d+\.img)$/m, '$1<scratch>/$2') };
}

beforeAll(() => {
  shellOk('modprobe -a dm-crypt');
});

afterEach(() => {
  try {
    for (const name of [names.of('plain'), names.of('luks')]) shell(`cryptsetup close ${name}`);
    removeDevicesWithPrefix(names.prefix);
  } finally {
    try {
      for (const loop of loops.splice(0)) loop.detach();
    } finally {
      scratch?.remove();
      scratch = undefined;
    }
  }
}, 120_000);

/** Runs `scenario` with dmsetup, cleans up, then with tsdmsetup, and returns both records. */
function bothTools(scenario: (which: DmsetupTool, record: unknown[]) => void): { theirs: unknown[]; ours: unknown[] } {
  const once = (which: DmsetupTool): unknown[] => {
    const record: unknown[] = [];
    try {
      scenario(which, record);
    } finally {
      for (const name of [names.of('plain'), names.of('luks')]) shell(`cryptsetup close ${name}`);
      removeDevicesWithPrefix(names.prefix);
      for (const loop of loops.splice(0)) loop.detach();
    }
    return record;
  };
  return { theirs: once('dmsetup'), ours: once('tsdmsetup') };
}

/** The dmsetup commands a script runs on a crypt device, in the order they are recorded. */
function queries(which: DmsetupTool, name: string, record: unknown[]): void {
  for (const args of [
    ['table', name],
    ['table', '--showkeys', name],
    ['table', '--target', 'crypt'],
    ['status', name],
    ['info', name],
    ['info', '-c', '-o', 'name,uuid,attr,open,segments,devnos_used,subsystem', name],
    ['deps', name],
    ['ls', '--target', 'crypt'],
  ]) {
    record.push([args.join(' '), tool(which, args)]);
  }
}

describe('cryptsetup devices seen by tsdmsetup and dmsetup', { timeout: 600_000 }, () => {
  it('plain: table hides the key, --showkeys shows it, status, info, remove; cryptsetup closes after suspend/resume', () => {
    scratch = scratchDir('ccrypt');
    const key = randomBytes(32);
    const keyFile = join(scratch.path, 'key');
    writeFileSync(keyFile, key, { mode: 0o600 });
    const name = names.of('plain');
    const open = (loop: LoopDevice): string =>
      `cryptsetup open --type plain --cipher aes-xts-plain64 --key-size 256 --key-file ${keyFile} ${loop.path} ${name}`;
    const { theirs, ours } = bothTools((which, record) => {
      const loop = makeLoopDevice(16);
      loops.push(loop);
      record.push(['open', shell(open(loop))]);
      queries(which, name, record);
      record.push(['remove', tool(which, ['remove', name])]);
      record.push(['cryptsetup status', cryptsetup(`cryptsetup status ${name}`)]);
      record.push(['reopen', shell(open(loop))]);
      for (const args of [['suspend', name], ['info', '-c', '-o', 'name,attr', name], ['resume', name]]) {
        record.push([args.join(' '), tool(which, args)]);
      }
      record.push(['cryptsetup status', cryptsetup(`cryptsetup status ${name}`)]);
      record.push(['close', shell(`cryptsetup close ${name}`)]);
      record.push(['end state', endState(names.prefix)]);
    });
    expect(ours).toEqual(theirs);
    const hex = key.toString('hex');
    const shown = JSON.stringify(theirs);
    // The scenario proves what it claims: the plain table hides the key, --showkeys prints it.
    const table = theirs.find((entry) => (entry as [string])[0] === `table ${name}`) as [string, ProcessResult];
    const withKeys = theirs.find((entry) => (entry as [string])[0] === `table --showkeys ${name}`) as [string, ProcessResult];
    expect(table[1].stdout).toMatch(/ crypt aes-xts-plain64 0+ 0 7:\d+ 0/);
    expect(table[1].stdout).not.toContain(hex);
    expect(withKeys[1].stdout).toContain(` ${hex} `);
    expect(shown.split(hex), 'the key only in the --showkeys output').toHaveLength(2);
    expect(theirs.at(-1)).toEqual(['end state', []]);
  });

  it('LUKS2 with a key file: the same queries and remove, then cryptsetup close after suspend/resume', () => {
    scratch = scratchDir('ccrypt');
    const keyFile = join(scratch.path, 'key');
    const volumeKeyFile = join(scratch.path, 'volume-key');
    writeFileSync(keyFile, randomBytes(32), { mode: 0o600 });
    writeFileSync(volumeKeyFile, randomBytes(64), { mode: 0o600 });
    const name = names.of('luks');
    const { theirs, ours } = bothTools((which, record) => {
      const loop = makeLoopDevice(32);
      loops.push(loop);
      shellOk(
        `cryptsetup luksFormat -q --type luks2 --pbkdf pbkdf2 --pbkdf-force-iterations 1000 --uuid ${LUKS_UUID} ` +
          `--volume-key-file ${volumeKeyFile} --key-file ${keyFile} ${loop.path}`,
      );
      const open = `cryptsetup open --key-file ${keyFile} ${loop.path} ${name}`;
      record.push(['open', shell(open)]);
      queries(which, name, record);
      record.push(['remove', tool(which, ['remove', name])]);
      record.push(['reopen', shell(open)]);
      for (const args of [['suspend', name], ['resume', name]]) record.push([args.join(' '), tool(which, args)]);
      record.push(['cryptsetup status', cryptsetup(`cryptsetup status ${name}`)]);
      record.push(['close', shell(`cryptsetup close ${name}`)]);
      record.push(['end state', endState(names.prefix)]);
    });
    expect(ours).toEqual(theirs);
    const info = theirs.find((entry) => (entry as [string])[0].startsWith('info -c')) as [string, ProcessResult];
    expect(info[1].stdout).toContain(`CRYPT-LUKS2-${LUKS_UUID.replace(/-/g, '')}-${name}`);
    expect(theirs.at(-1)).toEqual(['end state', []]);
  });
});
