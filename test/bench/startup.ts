/**
 * CLI start-up, file by file: the files a `tsdmsetup` command opens (strace -f, successful
 * open/openat only), split into ours (the built dist/), node_modules and the rest, and whether
 * koffi's native addon was loaded. Skipped when strace is not installed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface OpenCount {
  command: string;
  total: number;
  ours: number;
  nodeModules: number;
  koffiAddon: boolean;
}

/** Counts successful opens in an strace log (pure: the log is text). */
export function countOpens(command: string, log: string, repoRoot: string): OpenCount {
  const opened = log
    .split('\n')
    .filter((line) => /\bopen(at)?\(/.test(line) && !/= -1 /.test(line))
    .map((line) => /"([^"]*)"/.exec(line)?.[1] ?? '');
  return {
    command,
    total: opened.length,
    ours: opened.filter((path) => path.startsWith(join(repoRoot, 'dist') + '/')).length,
    nodeModules: opened.filter((path) => path.includes('/node_modules/')).length,
    koffiAddon: opened.some((path) => /koffi.*\.node$/.test(path)),
  };
}

/** strace's count for each command line (`node -e 0` first, as the floor); [] without strace. */
export function measureOpens(commands: readonly string[][], repoRoot: string): OpenCount[] {
  if (spawnSync('strace', ['-V']).status !== 0) return [];
  const dir = mkdtempSync(join(tmpdir(), 'tsdm-strace-'));
  const cli = join(repoRoot, 'dist', 'cli', 'bin.js');
  try {
    const runs: Array<[string, string[]]> = [['node -e 0', ['-e', '0']], ...commands.map((args): [string, string[]] => [`tsdmsetup ${args.join(' ')}`, [cli, ...args]])];
    return runs.map(([label, args]) => {
      const log = join(dir, 'log');
      spawnSync('strace', ['-f', '-qq', '-e', 'trace=open,openat', '-o', log, process.execPath, ...args], {
        env: { ...process.env, DM_DISABLE_UDEV: '1' },
        stdio: 'ignore',
      });
      return countOpens(label, readFileSync(log, 'utf8'), repoRoot);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
