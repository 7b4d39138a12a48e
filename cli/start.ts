/**
 * One tsdmsetup process: the udev commands' quick path, `--batch`, or main's full command line,
 * with stdout buffered as C stdio buffers it. bin.ts (the tsc build) and the bundled CLI
 * (scripts/bundle.mjs) both start here; nothing in it calls process.exit, so the process ends
 * when its work is done, with process.exitCode set.
 */
import { fstatSync } from 'node:fs';
import { basename } from 'node:path';
import { createRequire } from 'node:module';
import { isBatchLine } from './batch-args.js';
import { runFastPath } from './fast-path.js';
import { StdioBuffer } from './stdio-buffer.js';

/**
 * The name messages and the usage text give the program: `dmsetup` when the executable runs
 * under that name (bound or linked over /sbin/dmsetup, so scripts that grep dmsetup's usage or
 * errors see dmsetup's words), `dmstats` under that name (the stats command set), else
 * `tsdmsetup`. dmsetup itself always says `dmsetup` in its
 * usage and names argv[0] in getopt's errors; a script run by node sees the path, not argv[0],
 * so those say the base name.
 */
export function programName(script: string | undefined): string {
  const name = script === undefined ? '' : basename(script);
  // `dmstats`: dmsetup's stats command set, its command lines and usage (main implies `stats`).
  return name === 'dmsetup' || name === 'dmstats' ? name : 'tsdmsetup';
}

/** Runs the command line `argv` (without node and the script) and sets process.exitCode. */
export async function runProcess(argv: string[], program = programName(process.argv[1])): Promise<void> {
  const stdout = new StdioBuffer(1, isTerminal(1));
  // stderr as C's, unbuffered (every line goes out as it is written), straight to fd 2: making
  // process.stderr would load node's stream and net modules, a cost of start-up for nothing.
  const stderr = new StdioBuffer(2, true);
  try {
    if (isBatchLine(argv)) {
      process.exitCode = await (await import('./batch.js')).runBatchProcess(argv, { stdout, stderr });
      return;
    }
    // udev rules run the udev commands on every event: those start without loading the library.
    const fast = program === 'dmstats' ? undefined : await runFastPath(argv, { stdout, stderr, program });
    process.exitCode = fast ?? (await (await import('./main.js')).runCli(argv, { stdout, stderr, program }));
  } finally {
    stderr.flush(); // a last line without its newline
    stdout.flush();
    const failed = stdout.error;
    // A reader that went away (`tsdmsetup ls | head -1`): dmsetup would die of SIGPIPE, quietly.
    // Any other write error (`> /dev/full`: ENOSPC) is one line and exit 1; dmsetup 1.02.185 says
    // nothing and exits 0, leaving a truncated output unnoticed.
    if (failed && failed.code !== 'EPIPE') {
      const { strerror } = await import('../lib/sys/errno.js'); // only now: the fast path loads no library
      stderr.write(`Error writing to standard output: ${strerror(-(failed.errno ?? 0))} (${failed.code}).\n`);
      stderr.flush();
      process.exitCode = 1;
    }
  }
}

/** Linux's major number of the memory devices (/dev/null, /dev/zero, …): character devices, never terminals. */
const MEM_MAJOR = 1;

/**
 * isatty(fd), as stdio decides line buffering. Only a character device can be a terminal, and
 * /dev/null (where scripts send output) is none: those are told apart by fstat, so node:tty (and
 * the stream and net modules it loads) is required only for a character device that may be a
 * terminal. tty.isatty, not process.stdout.isTTY: creating process.stdout makes a pipe on fd 1
 * non-blocking.
 */
function isTerminal(fd: number): boolean {
  let stat;
  try {
    stat = fstatSync(fd);
  } catch {
    return false;
  }
  if (!stat.isCharacterDevice() || Math.floor(stat.rdev / 256) % 4096 === MEM_MAJOR) return false;
  return (createRequire(import.meta.url)('node:tty') as typeof import('node:tty')).isatty(fd);
}
