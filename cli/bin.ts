#!/usr/bin/env node
/** The `tsdmsetup` executable. */
import { isatty } from 'node:tty';
import { runFastPath } from './fast-path.js';
import { StdioBuffer } from './stdio-buffer.js';

// tty.isatty, not process.stdout.isTTY: creating process.stdout makes a pipe on fd 1 non-blocking.
const stdout = new StdioBuffer(1, isatty(1));
try {
  const argv = process.argv.slice(2);
  const io = { stdout, stderr: process.stderr };
  // udev rules run the udev commands on every event: those start without loading the library.
  process.exitCode = (await runFastPath(argv, io)) ?? (await (await import('./main.js')).runCli(argv, io));
} finally {
  try {
    stdout.flush();
  } catch (error) {
    // A reader that went away (`tsdmsetup ls | head -1`): dmsetup would die of SIGPIPE, quietly.
    if ((error as NodeJS.ErrnoException).code !== 'EPIPE') throw error;
  }
}
