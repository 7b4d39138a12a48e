/**
 * `tsdmsetup [--json] --batch [FILE|-]`: many dmsetup command lines in one process (dmsetup has
 * no counterpart). Each line of FILE (or stdin) is split as sh would split it (batch-words.ts;
 * blank and `#` comment lines are skipped, a leading `dmsetup` or `tsdmsetup` word is dropped)
 * and run by main's runCli, the parser and command code of a single invocation, over the
 * handles of the batch (batch-handles.ts): node starts once and the control node is opened once.
 *
 * Output. Plain: each line's stdout and stderr as the single command prints them, stdout flushed
 * after each line; after a line that fails, one more stderr line,
 * `tsdmsetup: batch line N: exit status S`. With `--json`: nothing but one JSON object per
 * line run, `{"line":N,"args":[…],"status":S,"stdout":"…","stderr":"…"}` (a line's own --json
 * document is in its stdout). The batch's status is the first non-zero line status, else 0; a
 * failing line does not stop the lines after it. Commands in a batch read an empty stdin: a
 * table comes with --table or a table file.
 */
import { readFileSync } from 'node:fs';
import { BatchHandles } from './batch-handles.js';
import { parseBatchArgs } from './batch-args.js';
import { BatchLineError, splitBatchLine } from './batch-words.js';
import type { Output } from './context.js';
import { runCli } from './main.js';
import { readAllStdin } from './stdin.js';

/** The streams of a batch run; `flush` (stdio's buffer) is called after each line. */
export interface BatchIo {
  stdout: Output & { flush?(): void };
  stderr: Output;
}

/** The result of one line, as `--json` prints it. */
export interface BatchLineResult {
  line: number;
  args: string[];
  status: number;
  stdout: string;
  stderr: string;
}

/** A line's words without a leading program name (a line copied from a script that runs dmsetup). */
function commandWords(words: string[]): string[] {
  return words[0] === 'dmsetup' || words[0] === 'tsdmsetup' ? words.slice(1) : words;
}

/**
 * Runs every command line of `text`; returns the batch's exit status. `handles` (closed when the
 * batch ends) is the caller's to inspect, e.g. how many control handles the lines needed.
 */
export async function runBatch(text: string, json: boolean, io: BatchIo, handles = new BatchHandles()): Promise<number> {
  let batchStatus = 0;
  try {
    const lines = text.split('\n');
    for (let index = 0; index < lines.length; index++) {
      const line = index + 1;
      let args: string[];
      let status: number;
      const captured = { stdout: '', stderr: '' };
      const stdout: Output = json ? { write: (t) => void (captured.stdout += t) } : io.stdout;
      const stderr: Output = json ? { write: (t) => void (captured.stderr += t) } : io.stderr;
      try {
        args = commandWords(splitBatchLine(lines[index]!));
        if (args.length === 0) continue;
        status = await runCli(args, { stdout, stderr, stdin: () => '', handles });
      } catch (error) {
        if (!(error instanceof BatchLineError)) throw error;
        args = [];
        stderr.write(`tsdmsetup: batch line ${line}: ${error.message}\n`);
        status = 1;
      }
      if (status !== 0 && batchStatus === 0) batchStatus = status;
      if (json) {
        const result: BatchLineResult = { line, args, status, ...captured };
        io.stdout.write(`${JSON.stringify(result)}\n`);
      } else if (status !== 0) {
        io.stderr.write(`tsdmsetup: batch line ${line}: exit status ${status}\n`);
      }
      io.stdout.flush?.();
    }
  } finally {
    handles.close();
  }
  return batchStatus;
}

/** The batch run of a `tsdmsetup … --batch …` command line: reads the command file and runs it. */
export async function runBatchProcess(argv: readonly string[], io: BatchIo): Promise<number> {
  const parsed = parseBatchArgs(argv);
  if ('error' in parsed) {
    io.stderr.write(`${parsed.error}\n`);
    return 1;
  }
  let text: string;
  try {
    text = parsed.file === '-' ? readAllStdin() : readFileSync(parsed.file, 'utf8');
  } catch (error) {
    io.stderr.write(`tsdmsetup: ${parsed.file}: ${(error as Error).message}\n`);
    return 1;
  }
  return runBatch(text, parsed.json, io);
}
