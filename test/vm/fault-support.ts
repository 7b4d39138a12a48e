/**
 * What the fault tests share: a private device directory on its own tmpfs (tiny and full, or
 * read-only, when asked), child processes driven by the lines they print, and the check that a
 * name left nothing behind (no device, no node).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { dmsetupInfo } from './lib-support.js';

export const FIXTURES = join(import.meta.dirname, 'fixtures');

function sh(command: string): void {
  const result = spawnSync('sh', ['-c', command], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command}: exit ${result.status}: ${result.stderr}`);
}

/** A device directory on a tmpfs of its own, with `mapper/control`; `full` leaves no free inode, `readOnly` is remounted ro. */
export class PrivateDevDir {
  readonly path: string;

  constructor(options: { full?: boolean; readOnly?: boolean } = {}) {
    mkdirSync('/run/tsdmt', { recursive: true });
    this.path = mkdtempSync('/run/tsdmt/devdir-');
    sh(`mount -t tmpfs -o ${options.full ? 'size=64k,nr_inodes=8' : 'size=1m'},mode=755 tmpfs ${this.path}`);
    sh(`mkdir ${this.path}/mapper && mknod ${this.path}/mapper/control c 10 $(awk '$2 == "device-mapper" { print $1 }' /proc/misc)`);
    if (options.full) {
      // Every inode taken: a node cannot be made (ENOSPC), as in a /dev that ran out of them.
      for (let i = 0; ; i++) {
        try {
          writeFileSync(join(this.path, `filler${i}`), '');
        } catch {
          break;
        }
      }
    }
    if (options.readOnly) sh(`mount -o remount,ro ${this.path}`);
  }

  /** The path of `name`'s node. */
  node(name: string): string {
    return join(this.path, 'mapper', name);
  }

  /** What is in mapper/ but the control node. */
  strays(): string[] {
    return readdirSync(join(this.path, 'mapper')).filter((entry) => entry !== 'control');
  }

  /** Unmounts and removes the directory. */
  dispose(): void {
    sh(`umount ${this.path}`);
    rmdirSync(this.path);
  }
}

/** A child process whose stdout lines can be awaited one by one. */
export class Child {
  readonly process: ChildProcess;
  readonly lines: string[] = [];
  stderr = '';
  private waiters: Array<() => void> = [];
  /** Set on 'close': the process has exited and its stdout was read to the end. */
  private ended = false;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(file: string, args: string[], env: NodeJS.ProcessEnv = {}) {
    this.process = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let partial = '';
    this.process.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop()!;
      this.lines.push(...parts);
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.process.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    // 'close', not 'exit': 'exit' can come before the last stdout chunk (a child's final line
    // would then be missed), 'close' only once the pipes are drained.
    this.exited = new Promise((resolve) => this.process.on('close', (code, signal) => {
      if (partial) this.lines.push(partial);
      partial = '';
      this.ended = true;
      for (const wake of this.waiters.splice(0)) wake();
      resolve({ code, signal });
    }));
  }

  /** Resolves once a line equal to `line` was printed; rejects if the process exits first. */
  async waitFor(line: string | ((line: string) => boolean)): Promise<void> {
    const seen = typeof line === 'string' ? (printed: string) => printed === line : line;
    while (!this.lines.some(seen)) {
      if (this.ended) {
        throw new Error(`the child exited (${this.process.exitCode ?? this.process.signalCode}) before printing ${line}; stderr: ${this.stderr}`);
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** SIGKILL, and wait for the exit. */
  async kill(): Promise<void> {
    this.process.kill('SIGKILL');
    await this.exited;
  }
}

/** Neither a device named `name` (as dmsetup sees it) nor its node in `devDir` is left. */
export function expectNothingLeft(devDir: PrivateDevDir, name: string): void {
  expect(dmsetupInfo(name), `device ${name}`).toBeUndefined();
  expect(existsSync(devDir.node(name)), `node of ${name}`).toBe(false);
  expect(devDir.strays()).toEqual([]);
}
