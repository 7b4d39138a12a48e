/**
 * `--batch` on the host: the line splitter (sh's rules, without expansions), the batch command
 * line, and batch runs of kernel-free commands through runBatch (output, per-line status, --json,
 * the first non-zero status). The kernel side is test/vm/cli-batch.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { isBatchLine, parseBatchArgs } from '../../cli/batch-args.js';
import { runBatch } from '../../cli/batch.js';
import { BatchLineError, splitBatchLine } from '../../cli/batch-words.js';
import { runCli } from '../../cli/main.js';

describe('splitBatchLine', () => {
  it('splits on blanks, any run of them', () => {
    expect(splitBatchLine('create  vol1\t--table x ')).toEqual(['create', 'vol1', '--table', 'x']);
  });

  it('keeps single-quoted text literally, blanks, backslashes and double quotes included', () => {
    expect(splitBatchLine(`create v --table '0 8 linear /dev/loop0 0' 'a\\b"c'`)).toEqual(['create', 'v', '--table', '0 8 linear /dev/loop0 0', 'a\\b"c']);
  });

  it('unescapes only \\" \\\\ \\$ and \\` inside double quotes', () => {
    expect(splitBatchLine(String.raw`message v 0 "a \"b\" \\ \$x \n"`)).toEqual(['message', 'v', '0', 'a "b" \\ $x \\n']);
  });

  it('joins quoted and unquoted parts of one word, and keeps an empty quoted word', () => {
    expect(splitBatchLine(`a'b c'"d"e '' ""`)).toEqual(['ab cde', '', '']);
  });

  it('takes a backslash outside quotes as quoting the next character', () => {
    expect(splitBatchLine(String.raw`rename a\ b c\#d \'`)).toEqual(['rename', 'a b', 'c#d', "'"]);
  });

  it('skips blank lines and comments; a # inside a word is no comment', () => {
    expect(splitBatchLine('')).toEqual([]);
    expect(splitBatchLine('   \t')).toEqual([]);
    expect(splitBatchLine('# remove everything')).toEqual([]);
    expect(splitBatchLine('info a#b # the rest')).toEqual(['info', 'a#b']);
    expect(splitBatchLine("info '# not a comment'")).toEqual(['info', '# not a comment']);
  });

  it('refuses an unterminated quote or a trailing backslash with a BatchLineError', () => {
    expect(() => splitBatchLine("info 'a")).toThrow(new BatchLineError('unterminated single quote'));
    expect(() => splitBatchLine('info "a')).toThrow(new BatchLineError('unterminated double quote'));
    expect(() => splitBatchLine('info a\\')).toThrow(new BatchLineError('backslash at the end of the line'));
  });
});

describe('the --batch command line', () => {
  it('is recognised by --batch or --batch=FILE anywhere', () => {
    expect(isBatchLine(['--json', '--batch'])).toBe(true);
    expect(isBatchLine(['--batch=cmds'])).toBe(true);
    expect(isBatchLine(['info', '--bounds', 'x'])).toBe(false);
  });

  it('reads FILE, - or nothing (stdin), and --json', () => {
    expect(parseBatchArgs(['--batch'])).toEqual({ file: '-', json: false });
    expect(parseBatchArgs(['--batch', '-', '--json'])).toEqual({ file: '-', json: true });
    expect(parseBatchArgs(['--json', '--batch', 'cmds.txt'])).toEqual({ file: 'cmds.txt', json: true });
    expect(parseBatchArgs(['--batch=cmds.txt'])).toEqual({ file: 'cmds.txt', json: false });
  });

  it('refuses anything else with the usage', () => {
    expect(parseBatchArgs(['--batch', 'a', 'b'])).toEqual({ error: 'Usage: tsdmsetup [--json] --batch [FILE|-] (not "b")' });
    expect(parseBatchArgs(['-v', '--batch'])).toEqual({ error: 'Usage: tsdmsetup [--json] --batch [FILE|-] (not "-v")' });
    expect(parseBatchArgs(['--batch='])).toEqual({ error: 'Usage: tsdmsetup [--json] --batch [FILE|-] (an empty file name)' });
  });
});

/** Output captured as strings. */
function sink(): { write(text: string): void; text: string } {
  return {
    text: '',
    write(text: string) {
      this.text += text;
    },
  };
}

async function single(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const stdout = sink();
  const stderr = sink();
  const status = await runCli(args, { stdout, stderr, stdin: () => '' });
  return { status, stdout: stdout.text, stderr: stderr.text };
}

describe('runBatch (kernel-free commands)', () => {
  const lines = ['# splitting names', 'splitname vg-lv', '', 'dmsetup splitname "a--b-c" LVM', 'splitname', 'tsdmsetup help -c', "splitname 'x"];

  it('prints each line as the single command does, a status line after each failure, and returns the first failure', async () => {
    const stdout = sink();
    const stderr = sink();
    const status = await runBatch(lines.join('\n'), false, { stdout, stderr });
    const parts = await Promise.all([['splitname', 'vg-lv'], ['splitname', 'a--b-c', 'LVM'], ['splitname'], ['help', '-c']].map(single));
    expect(status).toBe(1);
    expect(stdout.text).toBe(parts.map((p) => p.stdout).join(''));
    expect(stderr.text).toBe(
      parts[2]!.stderr + 'tsdmsetup: batch line 5: exit status 1\n' + parts[3]!.stderr +
        'tsdmsetup: batch line 7: unterminated single quote\ntsdmsetup: batch line 7: exit status 1\n',
    );
  });

  it('with --json prints one object per line run, the single command output inside', async () => {
    const stdout = sink();
    const status = await runBatch(lines.join('\n'), true, { stdout, stderr: sink() });
    const objects = stdout.text.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(status).toBe(1);
    expect(objects.map((o) => [o['line'], o['status']])).toEqual([[2, 0], [4, 0], [5, 1], [6, 0], [7, 1]]);
    expect(objects[1]).toEqual({ line: 4, args: ['splitname', 'a--b-c', 'LVM'], ...(await single(['splitname', 'a--b-c', 'LVM'])) });
    expect(objects[4]).toEqual({ line: 7, args: [], status: 1, stdout: '', stderr: 'tsdmsetup: batch line 7: unterminated single quote\n' });
  });

  it('returns 0 when every line succeeds, and keeps per-line options apart', async () => {
    const stdout = sink();
    const status = await runBatch('splitname --noheadings a-b\nsplitname a-b\n', false, { stdout, stderr: sink() });
    expect(status).toBe(0);
    expect(stdout.text).toBe((await single(['splitname', '--noheadings', 'a-b'])).stdout + (await single(['splitname', 'a-b'])).stdout);
  });
});
