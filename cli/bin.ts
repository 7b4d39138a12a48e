#!/usr/bin/env node
/** The `tsdmsetup` executable. */
import { runCli } from './main.js';
import { StdioBuffer } from './stdio-buffer.js';

const stdout = new StdioBuffer(1, process.stdout.isTTY === true);
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
