/**
 * The VM runner, run from the host: exit statuses pass through, a hung guest is killed at the
 * time-out, nothing is left behind.
 */
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultVmOptions, parseVmArguments, repoRoot, runInVm, TIMEOUT_EXIT_STATUS } from './vm.js';

/** Processes still in the guest's process group (UML's helpers would be there). */
function processesInGroup(pgid: number): string[] {
  try {
    return execFileSync('pgrep', ['-g', String(pgid)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}


describe('run-vm', () => {
  it('passes the command’s exit status through', async () => {
    const result = await runInVm(['sh', '-c', 'exit 7'], { ...defaultVmOptions, timeoutSeconds: 60 }, { stdio: 'pipe' });
    expect(result).toMatchObject({ status: 7, timedOut: false });
    expect(result.scratch).toMatch(/\/tsdm-vm-/);
    expect(existsSync(result.scratch)).toBe(false);
  });

  it('runs the command as root in the repository, with tsdmsetup on PATH and stdout/stderr apart', async () => {
    let stdout = '';
    let stderr = '';
    const result = await runInVm(
      ['sh', '-c', 'id -u; pwd; command -v tsdmsetup; echo to-stderr >&2'],
      { ...defaultVmOptions, timeoutSeconds: 60 },
      { stdio: 'pipe', onStdout: (c) => (stdout += c), onStderr: (c) => (stderr += c) },
    );
    expect(result.status).toBe(0);
    const [uid, cwd, tsdmsetup] = stdout.trim().split('\n');
    expect(uid).toBe('0');
    expect(cwd).toBe(process.cwd());
    expect(tsdmsetup).toMatch(/\/bin\/tsdmsetup$/);
    expect(stderr).toContain('to-stderr\n');
    expect(stderr).not.toContain('\r'); // both consoles pass bytes through
    expect(stdout).not.toContain('to-stderr');
  });

  it('kills a hung command at the time-out, says so, and leaves no linux.uml behind', async () => {
    let stderr = '';
    const originalWrite = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array) => {
      stderr += chunk.toString();
      return true;
    }) as typeof process.stderr.write;
    let result;
    try {
      result = await runInVm(['sleep', '600'], { ...defaultVmOptions, timeoutSeconds: 4 }, { stdio: 'pipe' });
    } finally {
      process.stderr.write = originalWrite;
    }
    expect(result).toMatchObject({ status: TIMEOUT_EXIT_STATUS, timedOut: true });
    expect(stderr).toContain('did not finish within 4 s');
    expect(processesInGroup(result!.pid)).toEqual([]);
  });

  it('on Ctrl-C (SIGINT to npm run vm) stops the guest, exits 130 and leaves no process behind', async () => {
    const runner = spawn(
      process.execPath,
      [join(repoRoot, 'dist', 'test', 'harness', 'run-vm.js'), '--', 'sh', '-c', 'echo started; sleep 600'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    await new Promise<void>((resolve) => runner.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('started') && resolve()));
    // The guest is the runner's child (taskset execs linux.uml); its pid is its process group.
    const guest = Number(execFileSync('pgrep', ['-P', String(runner.pid)], { encoding: 'utf8' }).trim().split('\n')[0]);
    expect(processesInGroup(guest).length).toBeGreaterThan(0);
    runner.kill('SIGINT');
    const status = await new Promise<number | null>((resolve) => runner.on('close', resolve));
    expect(status).toBe(130);
    expect(processesInGroup(guest)).toEqual([]);
  });

  it('boots with a tmpfs /dev and without dm-mod when asked', async () => {
    let stdout = '';
    const result = await runInVm(
      ['sh', '-c', 'stat -f -c %T /dev; grep -c device-mapper /proc/misc || true; ls /dev/mapper 2>&1 || true'],
      { ...defaultVmOptions, dev: 'tmpfs', dm: false, timeoutSeconds: 60 },
      { stdio: 'pipe', onStdout: (c) => (stdout += c) },
    );
    expect(result.status).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe('tmpfs');
    expect(lines[1]).toBe('0');
    expect(lines[2]).toMatch(/No such file or directory/);
  });

  it('parses its options from flags and the environment', () => {
    const { options, command } = parseVmArguments(['--no-dm', '--dev', 'tmpfs', '--timeout=30', '--', 'ls', '--all'], {
      TSDM_VM_MEM: '512M',
      TSDM_VM_UDEV: '1',
    });
    expect(options).toEqual({ dm: false, dev: 'tmpfs', udev: true, mem: '512M', timeoutSeconds: 30, cpu: 0 });
    expect(command).toEqual(['ls', '--all']);
    expect(() => parseVmArguments(['--dev=ramfs', 'ls'], {})).toThrow(/--dev must be devtmpfs or tmpfs/);
  });
});
