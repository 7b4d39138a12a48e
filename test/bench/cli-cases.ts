/**
 * The CLI rows of `npm run bench`: `tsdmsetup` and Debian's `dmsetup` as processes, one command
 * (or a short sequence, for create + remove) per sample, with a bare `node -e 0` sampled in every
 * round as the floor for any node program. Used on the host and in the guest.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NAMES } from './fixture.js';

/** The tsdmsetup users run: the package's bin, the bundled CLI's launcher. */
export function cliBin(repoRoot: string): string {
  return join(repoRoot, 'dist', 'cli', 'tsdmsetup.cjs');
}

/** One command line without the program; a row may run several in a sample. */
type Argv = readonly string[];

export interface CliRow {
  id: string;
  label: string;
  commands: readonly Argv[];
}

export interface CliSamples {
  id: string;
  label: string;
  /** Milliseconds per sample, sample i of each taken in round i. */
  ours: number[];
  dmsetup: number[];
  /** `node -e 0` of the same round, times the processes the row starts. */
  node: number[];
}

/** Rows that need no kernel: the ones also run on the host. */
export const kernelFreeRows: CliRow[] = [{ id: 'splitname', label: 'splitname a-b', commands: [['splitname', 'a-b']] }];

/** Rows run in the guest with the base devices present. */
export const guestRows: CliRow[] = [
  { id: 'version', label: 'version', commands: [['version']] },
  { id: 'info', label: `info NAME`, commands: [['info', NAMES.linear]] },
  {
    id: 'create-remove',
    label: 'create --table + remove',
    commands: [['create', NAMES.cliCycle, '--table', '0 2048 zero'], ['remove', NAMES.cliCycle]],
  },
  ...kernelFreeRows,
];

/** Run while the kernel has 1 000 devices. */
export const lsRow: CliRow = { id: 'ls-1000', label: 'ls, 1 000 devices', commands: [['ls']] };

// Both tools keep /dev/mapper themselves: no udev runs in the bench guest.
const env = { ...process.env, DM_DISABLE_UDEV: '1' };

function timeSpawn(file: string, commands: readonly Argv[]): number {
  return timeSpawnEach(file, commands, 1);
}

/** Runs `commands` `times` times over, one process each; milliseconds in all. */
function timeSpawnEach(file: string, commands: readonly Argv[], times: number): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < times; i++) {
    for (const args of commands) {
      const result = spawnSync(file, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
      if (result.status !== 0) throw new Error(`${file} ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
    }
  }
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** `rounds` interleaved rounds of every row: ours, dmsetup (order alternating), then node -e 0. */
export function measureCli(rows: readonly CliRow[], rounds: number, repoRoot: string): CliSamples[] {
  const cli = cliBin(repoRoot);
  const results = rows.map((row) => ({ id: row.id, label: row.label, ours: [] as number[], dmsetup: [] as number[], node: [] as number[] }));
  const ours = (row: CliRow): number => timeSpawn(process.execPath, row.commands.map((args) => [cli, ...args]));
  const dmsetup = (row: CliRow): number => timeSpawn('dmsetup', row.commands);
  // One of each, unmeasured: the page cache and dentries are warm for everyone.
  for (const row of rows) (ours(row), dmsetup(row));
  for (let round = 0; round < rounds; round++) {
    const bare = timeSpawn(process.execPath, [['-e', '0']]);
    rows.forEach((row, i) => {
      const result = results[i]!;
      if (round % 2 === 0) {
        result.ours.push(ours(row));
        result.dmsetup.push(dmsetup(row));
      } else {
        result.dmsetup.push(dmsetup(row));
        result.ours.push(ours(row));
      }
      result.node.push(bare * row.commands.length); // one bare node per process the row starts
    });
  }
  return results;
}

/** The create + remove pair of the batch row, as one command line each. */
const CYCLE: readonly Argv[] = [['create', NAMES.cliCycle, '--table', '0 2048 zero'], ['remove', NAMES.cliCycle]];

/** sh quoting for a batch file line. */
const quote = (word: string): string => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`);

/**
 * The batch row: `cycles` creates + removes from one `tsdmsetup --batch FILE` process against
 * the same `cycles` pairs of `dmsetup` processes; node's column is one bare `node -e 0` (the one
 * process the batch starts). Rounds alternate who goes first.
 */
export function measureBatch(cycles: number, rounds: number, repoRoot: string): CliSamples {
  const dir = mkdtempSync(join(tmpdir(), 'tsdm-bench-batch-'));
  const file = join(dir, 'cycles');
  writeFileSync(file, Array.from({ length: cycles }, () => CYCLE.map((args) => args.map(quote).join(' ')).join('\n')).join('\n') + '\n');
  const result: CliSamples = { id: 'batch', label: `batch: ${cycles} create+remove`, ours: [], dmsetup: [], node: [] };
  const ours = (): number => timeSpawn(process.execPath, [[cliBin(repoRoot), '--batch', file]]);
  const dmsetup = (): number => timeSpawnEach('dmsetup', CYCLE, cycles);
  try {
    for (let round = 0; round < rounds; round++) {
      result.node.push(timeSpawn(process.execPath, [['-e', '0']]));
      if (round % 2 === 0) (result.ours.push(ours()), result.dmsetup.push(dmsetup()));
      else (result.dmsetup.push(dmsetup()), result.ours.push(ours()));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return result;
}
