#!/usr/bin/env node
/** The `tsdmsetup` executable. */
import { isatty } from 'node:tty';
import { runFastPath } from './fast-path.js';
import { StdioBuffer } from './stdio-buffer.js';

// tty.isatty, not process.stdout.isTTY: creating process.stdout makes a pipe on fd 1 non-blocking.
const stdout = new StdioBuffer(1, isatty(1));
try {
  const argv = process.argv.slice(2);
  // udev rules run the udev commands on every event: those start without loading the library, and
  // write stderr straight to fd 2 (as C's unbuffered stderr) rather than make process.stderr.
  const fast = await runFastPath(argv, { stdout, stderr: new StdioBuffer(2, true) });
  process.exitCode = fast ?? (await (await import('./main.js')).runCli(argv, { stdout, stderr: process.stderr }));
} finally {
  stdout.flush();
  const failed = stdout.error;
  // A reader that went away (`tsdmsetup ls | head -1`): dmsetup would die of SIGPIPE, quietly.
  // Any other write error (`> /dev/full`: ENOSPC) is one line and exit 1; dmsetup 1.02.185 says
  // nothing and exits 0, leaving a truncated output unnoticed.
  if (failed && failed.code !== 'EPIPE') {
    const { strerror } = await import('../lib/sys/errno.js'); // only now: the fast path loads no library
    process.stderr.write(`Error writing to standard output: ${strerror(-(failed.errno ?? 0))} (${failed.code}).\n`);
    process.exitCode = 1;
  }
}
