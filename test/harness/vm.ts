/**
 * Boots a user-mode-linux guest (Debian's `linux.uml`) with the host file system as its root, runs
 * one command in it as root, and reports the command's exit status.
 *
 * The guest is a real Linux 6.1 kernel with device-mapper, loop and every DM target as modules: the
 * only place our kernel claims are tested. See ../shared/reference/vm-testbed.md for the recipe.
 *
 * Guarantees: nothing is written on the host outside one scratch directory, which is removed; the
 * guest is pinned to one host CPU; no `linux.uml` process outlives the call (time-out and signals
 * included).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, accessSync, constants } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { umlPreloadEnv } from './uml-xstate.js';

/** How the guest is set up before the command runs. */
export interface VmOptions {
  /** Load dm-mod at boot (default true). Off to test the control node's autoload and modprobe paths. */
  dm: boolean;
  /** `devtmpfs` (the kernel's /dev, default) or `tmpfs` (a bare /dev with only the basic nodes). */
  dev: 'devtmpfs' | 'tmpfs';
  /** Start systemd-udevd with Debian's rules in the guest (default false). */
  udev: boolean;
  /** Guest memory, as `linux.uml` takes it (`1G`, `512M`). */
  mem: string;
  /** Seconds before the guest is killed (default 600). */
  timeoutSeconds: number;
  /** The host CPU the guest is pinned to. */
  cpu: number;
}

export const defaultVmOptions: VmOptions = {
  dm: true,
  dev: 'devtmpfs',
  udev: false,
  mem: '1G',
  timeoutSeconds: 600,
  cpu: 0,
};

/** The exit status the runner gives when the guest hit the time-out (like timeout(1)). */
export const TIMEOUT_EXIT_STATUS = 124;

export const INSTALL_COMMAND = 'sudo apt-get install -y user-mode-linux kmod dmsetup';

/** The repository root: this file is test/harness/vm.ts, or dist/test/harness/vm.js once built. */
export const repoRoot = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
})();

/** Finds `linux.uml` on PATH or in /usr/bin; undefined when it is not installed. */
export function findLinuxUml(path = process.env['PATH'] ?? ''): string | undefined {
  const dirs = [...path.split(delimiter).filter(Boolean), '/usr/bin'];
  for (const dir of dirs) {
    const candidate = join(dir, 'linux.uml');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Quotes one word for the guest's POSIX shell. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Variables that describe the host shell rather than the user's settings. */
const HOST_ONLY_VARIABLES = new Set(['PWD', 'OLDPWD', 'SHLVL', '_', 'TMPDIR', 'TERM_PROGRAM', 'INIT_CWD']);

function environmentScript(env: NodeJS.ProcessEnv): string {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined || HOST_ONLY_VARIABLES.has(key) || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) continue;
    lines.push(`export ${key}=${shellQuote(value)}`);
  }
  return lines.join('\n') + '\n';
}

/** Writes the files the guest's init reads: settings, environment, command, and the bin dir. */
function prepareScratch(scratch: string, options: VmOptions, argv: string[], env: NodeJS.ProcessEnv): void {
  const settings = {
    TSDM_VM_DM: options.dm ? '1' : '0',
    TSDM_VM_DEV: options.dev,
    TSDM_VM_UDEV: options.udev ? '1' : '0',
    TSDM_VM_REPO: repoRoot,
  };
  writeFileSync(
    join(scratch, 'settings'),
    Object.entries(settings).map(([k, v]) => `${k}=${shellQuote(v)}`).join('\n') + '\n',
  );
  writeFileSync(join(scratch, 'environment'), environmentScript(env));
  writeFileSync(join(scratch, 'command'), argv.map(shellQuote).join(' ') + '\n');
  const bin = join(scratch, 'bin');
  mkdirSync(bin);
  // The package's bin: the bundled CLI, as an installed tsdmsetup runs.
  const cli = join(repoRoot, 'dist', 'cli', 'tsdmsetup.cjs');
  writeFileSync(join(bin, 'tsdmsetup'), `#!/bin/sh\nexec ${shellQuote(process.execPath)} ${shellQuote(cli)} "$@"\n`, {
    mode: 0o755,
  });
}

/** Where the guest's RAM file and the scratch dir go: a tmpfs when the host has one. */
function scratchParent(): string {
  if (process.env['TMPDIR']) return tmpdir();
  try {
    accessSync('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
}

export interface VmResult {
  /** The command's exit status, or TIMEOUT_EXIT_STATUS, or 128+signal when interrupted. */
  status: number;
  timedOut: boolean;
  /** The guest's pid, which is also its process group id (for checks that nothing is left). */
  pid: number;
  /** The scratch directory the run used (removed when it resolves). */
  scratch: string;
}

export interface RunInVmIo {
  /** Where the guest's stdout and stderr go (default: inherited). */
  stdio?: 'inherit' | 'pipe';
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
  env?: NodeJS.ProcessEnv;
}

/**
 * Runs `argv` as root in a fresh guest and resolves with its exit status. Rejects only when the
 * guest cannot be started at all (linux.uml missing, udev asked for but not installed).
 */
export async function runInVm(argv: string[], options: VmOptions, io: RunInVmIo = {}): Promise<VmResult> {
  if (argv.length === 0) throw new Error('run-vm: no command given');
  const linuxUml = findLinuxUml();
  if (!linuxUml) {
    throw new Error(`run-vm: linux.uml not found (the real-kernel test bed). Install it with:\n  ${INSTALL_COMMAND}`);
  }
  if (options.udev && !existsSync('/lib/systemd/systemd-udevd')) {
    throw new Error('run-vm: --udev needs systemd-udevd. Install it with:\n  sudo apt-get install -y udev');
  }
  const init = guestInitPath();
  try {
    accessSync(init, constants.X_OK);
  } catch {
    throw new Error(`run-vm: ${init} must be executable (chmod +x); the kernel runs it as init`);
  }
  const scratch = mkdtempSync(join(scratchParent(), 'tsdm-vm-'));
  try {
    prepareScratch(scratch, options, argv, io.env ?? process.env);
    const preload = umlPreloadEnv(scratch, repoRoot);
    return { ...(await boot(linuxUml, scratch, options, io, preload)), scratch };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function guestInitPath(): string {
  return join(repoRoot, 'test', 'harness', 'guest-init.sh');
}

function kernelArguments(scratch: string, options: VmOptions): string[] {
  return [
    `mem=${options.mem}`,
    'quiet',
    'loglevel=0',
    `uml_dir=${scratch}`,
    'umid=tsdm',
    'root=/dev/root',
    'rootfstype=hostfs',
    'rootflags=/',
    'rw',
    `init=${guestInitPath()}`,
    ...(options.dev === 'tmpfs' ? ['devtmpfs.mount=0'] : []),
    `TSDM_SCRATCH=${scratch}`,
    'con=null',
    'con0=null,fd:1',
    'con1=null,fd:2',
  ];
}

function boot(linuxUml: string, scratch: string, options: VmOptions, io: RunInVmIo, preload: NodeJS.ProcessEnv): Promise<Omit<VmResult, 'scratch'>> {
  return new Promise((resolvePromise) => {
    // taskset execs linux.uml, so the child's pid is the guest's; detached puts it in its own
    // process group, which UML keeps, so one kill(-pid) reaches all of its helper processes.
    const child = spawn('taskset', ['-c', String(options.cpu), linuxUml, ...kernelArguments(scratch, options)], {
      stdio: ['ignore', io.stdio ?? 'inherit', io.stdio ?? 'inherit'],
      detached: true,
      env: { ...process.env, ...preload, TMPDIR: scratch },
    });
    if (io.stdio === 'pipe') {
      child.stdout?.on('data', (chunk: Buffer) => io.onStdout?.(chunk));
      child.stderr?.on('data', (chunk: Buffer) => io.onStderr?.(chunk));
    }
    let timedOut = false;
    let interruptedBy: NodeJS.Signals | undefined;
    const killGroup = (signal: NodeJS.Signals): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
    };
    const stop = (): void => {
      killGroup('SIGTERM');
      // UML shuts down cleanly on SIGTERM; give it a moment, then take no chances.
      setTimeout(() => killGroup('SIGKILL'), 3000).unref();
    };
    const timer = setTimeout(() => {
      timedOut = true;
      process.stderr.write(`run-vm: the command did not finish within ${options.timeoutSeconds} s; killing the VM\n`);
      stop();
    }, options.timeoutSeconds * 1000);
    const onSignal = (signal: NodeJS.Signals): void => {
      interruptedBy = signal;
      stop();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    process.on('SIGHUP', onSignal);
    child.on('error', (error) => {
      process.stderr.write(`run-vm: cannot start linux.uml: ${error.message}\n`);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.off('SIGHUP', onSignal);
      // Reap any helper that survived its parent.
      killGroup('SIGKILL');
      const pid = child.pid ?? -1;
      if (timedOut) return resolvePromise({ status: TIMEOUT_EXIT_STATUS, timedOut, pid });
      if (interruptedBy) {
        const number = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 }[interruptedBy as 'SIGINT'] ?? 15;
        return resolvePromise({ status: 128 + number, timedOut, pid });
      }
      const reported = join(scratch, 'exitcode');
      if (existsSync(reported)) {
        return resolvePromise({ status: Number(readFileSync(reported, 'utf8').trim()), timedOut, pid });
      }
      process.stderr.write(
        `run-vm: the guest stopped without reporting the command's status (linux.uml ${
          signal ? `killed by ${signal}` : `exit ${code}`
        })\n`,
      );
      resolvePromise({ status: 125, timedOut, pid });
    });
  });
}

/** Parses the runner's own flags; the rest of argv is the command. Flags override the environment. */
export function parseVmArguments(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
): { options: VmOptions; command: string[] } {
  const options: VmOptions = { ...defaultVmOptions };
  const fromEnv = (name: string): string | undefined => env[`TSDM_VM_${name}`];
  const applyBoolean = (value: string, key: 'dm' | 'udev'): void => {
    if (!/^(0|1|yes|no|true|false)$/.test(value)) throw new Error(`run-vm: ${key} must be 0 or 1, not "${value}"`);
    options[key] = /^(1|yes|true)$/.test(value);
  };
  const apply = (name: string, value: string): void => {
    switch (name) {
      case 'dm':
      case 'udev':
        applyBoolean(value, name);
        break;
      case 'dev':
        if (value !== 'devtmpfs' && value !== 'tmpfs') throw new Error(`run-vm: --dev must be devtmpfs or tmpfs, not "${value}"`);
        options.dev = value;
        break;
      case 'mem':
        if (!/^\d+[KMG]?$/.test(value)) throw new Error(`run-vm: --mem must look like 512M or 1G, not "${value}"`);
        options.mem = value;
        break;
      case 'timeout':
        if (!/^\d+$/.test(value) || Number(value) <= 0) throw new Error(`run-vm: --timeout must be a positive number of seconds, not "${value}"`);
        options.timeoutSeconds = Number(value);
        break;
      case 'cpu':
        if (!/^\d+$/.test(value)) throw new Error(`run-vm: --cpu must be a CPU number, not "${value}"`);
        options.cpu = Number(value);
        break;
      default:
        throw new Error(`run-vm: unknown option --${name}`);
    }
  };
  for (const name of ['dm', 'dev', 'udev', 'mem', 'timeout', 'cpu']) {
    const value = fromEnv(name.toUpperCase());
    if (value !== undefined && value !== '') apply(name, value);
  }
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('--')) break;
    const match = /^--(no-)?([a-z]+)(?:=(.*))?$/.exec(arg);
    if (!match) throw new Error(`run-vm: cannot parse option ${arg}`);
    const [, negated, name, value] = match;
    if (negated) apply(name!, '0');
    else if (value !== undefined) apply(name!, value);
    else if (name === 'dm' || name === 'udev') apply(name, '1');
    else {
      const next = argv[++i];
      if (next === undefined) throw new Error(`run-vm: --${name} needs a value`);
      apply(name!, next);
    }
  }
  return { options, command: argv.slice(i) };
}

export const VM_USAGE = `usage: npm run vm -- [options] [--] <command...>

Runs <command> as root in a user-mode-linux guest (real Linux kernel with device-mapper), with the
repository as working directory and the built tsdmsetup on PATH; exits with the command's status.

options (environment variable in brackets):
  --dm / --no-dm        load dm-mod at boot, or not                    [TSDM_VM_DM=1|0]
  --dev devtmpfs|tmpfs  the kernel's devtmpfs /dev, or a bare tmpfs     [TSDM_VM_DEV]
  --udev / --no-udev    run systemd-udevd with Debian's rules           [TSDM_VM_UDEV=1|0]
  --mem SIZE            guest memory (default 1G)                       [TSDM_VM_MEM]
  --timeout SECONDS     kill the guest after this long (default 600)    [TSDM_VM_TIMEOUT]
  --cpu N               host CPU to pin the guest to (default 0)        [TSDM_VM_CPU]
`;
