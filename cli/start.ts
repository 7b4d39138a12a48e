/**
 * One tsdmsetup process: the udev commands' quick path, `--batch`, or main's full command line,
 * with stdout buffered as C stdio buffers it. bin.ts (the tsc build) and the bundled CLI
 * (scripts/bundle.mjs) both start here; nothing in it calls process.exit, so the process ends
 * when its work is done, with process.exitCode set.
 */
import { isatty } from 'node:tty';
import { isBatchLine } from './batch-args.js';
import { runFastPath } from './fast-path.js';
import { StdioBuffer } from './stdio-buffer.js';

/** Runs the command line `argv` (without node and the script) and sets process.exitCode. */
export async function runProcess(argv: string[]): Promise<void> {
  // tty.isatty, not process.stdout.isTTY: creating process.stdout makes a pipe on fd 1 non-blocking.
  const stdout = new StdioBuffer(1, isatty(1));
  try {
    if (isBatchLine(argv)) {
      process.exitCode = await (await import('./batch.js')).runBatchProcess(argv, { stdout, stderr: process.stderr });
      return;
    }
    // udev rules run the udev commands on every event: those start without loading the library, and
    // write stderr straight to fd 2 (as C's unbuffered stderr) rather than make process.stderr.
    const fast = await runFastPath(argv, { stdout, stderr: new StdioBuffer(2, true) });
    process.exitCode = fast ?? (await (await import('./main.js')).runCli(argv, { stdout, stderr: process.stderr }));
  } finally {
    try {
      stdout.flush();
    } catch (error) {
      // A reader that went away (`tsdmsetup ls | head -1`): dmsetup would die of SIGPIPE, quietly.
      if ((error as NodeJS.ErrnoException).code !== 'EPIPE') throw error;
    }
  }
}
