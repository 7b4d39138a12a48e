#!/usr/bin/env node
/** The `tsdmsetup` executable. */
import { isatty } from 'node:tty';
import { runCli } from './main.js';
import { StdioBuffer } from './stdio-buffer.js';

// tty.isatty, not process.stdout.isTTY: creating process.stdout makes a pipe on fd 1 non-blocking.
const stdout = new StdioBuffer(1, isatty(1));
try {
  process.exitCode = await runCli(process.argv.slice(2), { stdout, stderr: process.stderr });
} finally {
  try {
    stdout.flush();
  } catch (error) {
    // A reader that went away (`tsdmsetup ls | head -1`): dmsetup would die of SIGPIPE, quietly.
    if ((error as NodeJS.ErrnoException).code !== 'EPIPE') throw error;
  }
}
