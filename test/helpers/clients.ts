/**
 * Real clients of dmsetup (blkdeactivate, LVM2, cryptsetup) run in the VM guest, for the
 * clients-*.test.ts scenarios: a scratch dir in the guest's tmpfs, an LVM configuration of our own
 * (no udev, no backups, only our loop and test devices scanned), a way to run a command with
 * `/sbin/dmsetup` replaced by a logging shim (of Debian's dmsetup or of tsdmsetup) in a private mount
 * namespace, and the end state both runs are compared on.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProcessResult } from './cli.js';

/** Which program answers to `dmsetup` for a client. */
export type DmsetupTool = 'dmsetup' | 'tsdmsetup';

const cliPath = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'bin.js');

/** `/sbin/dmsetup` on Debian 12 (where /sbin is a link to usr/sbin): the path clients hard-code. */
export const SYSTEM_DMSETUP = '/usr/sbin/dmsetup';

/** A scratch directory in the guest's tmpfs; `remove()` deletes it. */
export function scratchDir(tag: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `tsdm-${tag}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * A private LVM_SYSTEM_DIR: lvm.conf with udev sync and udev rules off (so lvm makes the
 * /dev/mapper nodes itself, as with DM_DISABLE_UDEV=1), no devices file, only loop devices and
 * `/dev/mapper/tsdmt-*` scanned (or the `accept` patterns), no metadata backups or archives (the host's /etc/lvm is not
 * written), no dmeventd monitoring, and no thin_check (thin-provisioning-tools is not installed).
 * Returns the environment to run lvm (and blkdeactivate's lvm calls) with.
 */
export function lvmEnvironment(dir: string, accept: readonly string[] = ['^/dev/loop[0-9]+$', '^/dev/mapper/tsdmt-']): Record<string, string> {
  const system = join(dir, 'lvm');
  mkdirSync(system, { recursive: true });
  writeFileSync(
    join(system, 'lvm.conf'),
    [
      'devices {',
      '  use_devicesfile = 0',
      '  obtain_device_list_from_udev = 0',
      '  external_device_info_source = "none"',
      `  filter = [ ${accept.map((pattern) => `"a|${pattern}|", `).join('')}"r|.*|" ]`,
      '}',
      'activation {',
      '  udev_sync = 0',
      '  udev_rules = 0',
      '  verify_udev_operations = 1',
      '  monitoring = 0',
      '}',
      'global {',
      '  event_activation = 0',
      '  use_lvmpolld = 0',
      '  thin_check_executable = ""',
      '  thin_repair_executable = ""',
      '}',
      'backup {',
      '  backup = 0',
      '  archive = 0',
      '}',
      '',
    ].join('\n'),
  );
  return { LVM_SYSTEM_DIR: system, DM_DISABLE_UDEV: '1', LVM_SUPPRESS_FD_WARNINGS: '1' };
}

/**
 * Runs a bash command line; never throws on a non-zero exit. stdin is /dev/null, not node's
 * socket pair: bash run with a socket on stdin reads ~/.bashrc (its rshd rule), ten seconds a call
 * in the guest.
 */
export function shell(command: string, env: Record<string, string> = {}): ProcessResult {
  const result = spawnSync('bash', ['-c', command], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, DM_DISABLE_UDEV: '1', ...env },
  });
  if (result.error) throw result.error;
  return { status: result.status ?? 128, stdout: result.stdout, stderr: result.stderr };
}

/** Runs a bash command line that must succeed, and returns its stdout. */
export function shellOk(command: string, env: Record<string, string> = {}): string {
  const result = shell(command, env);
  if (result.status !== 0) throw new Error(`${command} exited ${result.status}: ${result.stderr.trim()}`);
  return result.stdout;
}

/** A `dmsetup` stand-in that logs its arguments before running the chosen tool. */
export interface DmsetupShim {
  tool: DmsetupTool;
  /** The shim's own path (bound over /sbin/dmsetup by `run`). */
  path: string;
  /**
   * Runs a bash command line in a private mount namespace where /sbin/dmsetup is the shim, and
   * `dmsetup` on PATH resolves to it too.
   */
  run(command: string, env?: Record<string, string>): ProcessResult;
  /** The argument lists the shim was called with since the last call, one line each. */
  takeCalls(): string[];
}

/**
 * Makes a shim in `dir` for `tool`. Debian's dmsetup is copied first (as `real/dmsetup`, so its
 * program name is unchanged), since the bind mount hides the original.
 */
export function makeDmsetupShim(dir: string, tool: DmsetupTool): DmsetupShim {
  const home = join(dir, `shim-${tool}`);
  mkdirSync(join(home, 'real'), { recursive: true });
  const log = join(home, 'calls');
  let target: string;
  if (tool === 'dmsetup') {
    copyFileSync(SYSTEM_DMSETUP, join(home, 'real', 'dmsetup'));
    chmodSync(join(home, 'real', 'dmsetup'), 0o755);
    target = `exec ${quote(join(home, 'real', 'dmsetup'))} "$@"`;
  } else {
    target = `exec ${quote(process.execPath)} ${quote(cliPath)} "$@"`;
  }
  const path = join(home, 'dmsetup');
  writeFileSync(path, `#!/bin/sh\nprintf '%s\\n' "$*" >> ${quote(log)}\n${target}\n`, { mode: 0o755 });
  writeFileSync(log, '');
  return {
    tool,
    path,
    run(command, env = {}) {
      const script = `mount --bind ${quote(path)} ${SYSTEM_DMSETUP} || exit 99\nexport PATH=${quote(home)}:$PATH\n${command}`;
      return shell(`exec unshare -m bash -c ${quote(script)}`, env);
    },
    takeCalls() {
      const calls = readFileSync(log, 'utf8').split('\n').filter(Boolean);
      writeFileSync(log, '');
      return calls;
    },
  };
}

/** Single-quotes a word for sh. */
export function quote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The kernel's devices with `prefix` (name, attributes, open count, targets) and their tables,
 * the /dev/mapper entries with `prefix`, and the mounts under `mountRoot`, read with Debian's
 * dmsetup: what two runs of a client must leave the same.
 */
export function endState(prefix: string, mountRoot?: string): string[] {
  const state: string[] = [];
  const info = shellOk(`${SYSTEM_DMSETUP} info -c --noheadings --separator '|' -o name,attr,open,segments --sort name`);
  for (const line of info.split('\n')) {
    if (!line.startsWith(prefix)) continue;
    const name = line.split('|')[0]!;
    state.push(`dev ${line}`);
    const table = shellOk(`${SYSTEM_DMSETUP} table ${quote(name)}`);
    for (const row of table.split('\n').filter(Boolean)) state.push(`  ${row.replace(/ [0-9a-f]{32,} /, ' <key> ')}`);
  }
  if (existsSync('/dev/mapper')) {
    for (const entry of readdirSync('/dev/mapper').sort()) if (entry.startsWith(prefix)) state.push(`node ${entry}`);
  }
  if (mountRoot) {
    for (const line of readFileSync('/proc/mounts', 'utf8').split('\n')) {
      const [source, target] = line.split(' ');
      if (target?.startsWith(mountRoot)) state.push(`mount ${source} ${target}`);
    }
  }
  return state;
}

/** Our messages name our program; dmsetup's name dmsetup. */
export function normaliseProgram(text: string): string {
  return text.replace(/\btsdmsetup\b/g, 'dmsetup');
}
