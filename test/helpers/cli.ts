/** Runs the built tsdmsetup (or dmsetup) as a process, as scripts do. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ProcessResult {
  status: number;
  stdout: string;
  stderr: string;
}

const repoRoot = join(import.meta.dirname, '..', '..');

/** What users run: the package's `bin` (the bundled CLI's launcher, dist/cli/tsdmsetup.cjs). */
export const cliPath = join(repoRoot, (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin['tsdmsetup']!);

export interface RunOptions {
  input?: string;
  env?: NodeJS.ProcessEnv;
}

function run(file: string, args: string[], options: RunOptions): ProcessResult {
  const result = spawnSync(file, args, {
    encoding: 'utf8',
    input: options.input ?? '',
    env: { ...process.env, ...options.env },
  });
  if (result.error) throw result.error;
  return { status: result.status ?? 128, stdout: result.stdout, stderr: result.stderr };
}

/** The built tsdmsetup CLI, as the package's `bin` runs it (`npm test` builds first). */
export function runTsdmsetup(args: string[], options: RunOptions = {}): ProcessResult {
  return run(process.execPath, [cliPath, ...args], options);
}

/** Debian's dmsetup, the reference. */
export function runDmsetup(args: string[], options: RunOptions = {}): ProcessResult {
  return run('dmsetup', args, options);
}
