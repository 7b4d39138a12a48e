/**
 * CLI start-up, file by file: the files a `tsdmsetup` command opens (strace -f, successful
 * open/openat only), split into ours (the built dist/), node_modules and the rest, and whether
 * koffi's native addon was loaded. Skipped when strace is not installed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliBin } from './cli-cases.js';

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
  const cli = cliBin(repoRoot);
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

/** Start-up cost by layer: a process that only imports koffi, the library, the CLI's main module. */
export interface LayerTimes {
  label: string;
  /** Milliseconds per process, sample i from round i (node -e 0 is the first row). */
  ms: number[];
}

export function measureLayers(repoRoot: string, rounds: number): LayerTimes[] {
  const importing = (what: string): string[] => ['--input-type=module', '-e', `await import(${JSON.stringify(what)})`];
  const layers: Array<[string, string[]]> = [
    ['node -e 0', ['-e', '0']],
    ['import koffi', importing('koffi')],
    ['import the library (dist/lib/index.js)', importing(join(repoRoot, 'dist/lib/index.js'))],
    ['import the CLI (dist/cli/main.js)', importing(join(repoRoot, 'dist/cli/main.js'))],
    ['tsdmsetup splitname a-b, unbundled (dist/cli/bin.js)', [join(repoRoot, 'dist/cli/bin.js'), 'splitname', 'a-b']],
    ['tsdmsetup splitname a-b (the bin: bundle + code cache)', [cliBin(repoRoot), 'splitname', 'a-b']],
  ];
  const results = layers.map(([label]) => ({ label, ms: [] as number[] }));
  for (let round = 0; round <= rounds; round++) {
    layers.forEach(([label, args], i) => {
      const start = process.hrtime.bigint();
      // cwd: the repository, so `import('koffi')` resolves from its node_modules.
      const result = spawnSync(process.execPath, args, { cwd: repoRoot, stdio: 'ignore' });
      if (result.status !== 0) throw new Error(`bench: ${label} failed (${result.status})`);
      if (round > 0) results[i]!.ms.push(Number(process.hrtime.bigint() - start) / 1e6); // round 0 warms the cache
    });
  }
  return results;
}
