/**
 * `tsdmsetup --batch` against the kernel: a batch of creates, tables, info, a failing line and
 * removes prints, line by line, what each line prints as its own tsdmsetup process (the same
 * command lines replayed one process each on the same device states), over one control handle.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BatchHandles } from '../../cli/batch-handles.js';
import { runBatch, type BatchLineResult } from '../../cli/batch.js';
import { splitBatchLine } from '../../cli/batch-words.js';
import { runTsdmsetup, type ProcessResult } from '../helpers/cli.js';
import { deviceNames, devicesWithPrefix, removeDevicesWithPrefix } from '../helpers/devices.js';
import { makeLoopDevice, type LoopDevice } from '../helpers/loop.js';

const names = deviceNames('clibatch');
const [ZERO, LIN] = ['zero', 'lin'].map(names.of) as [string, string];
const env = { DM_DISABLE_UDEV: '1' };

let loop: LoopDevice;
let dir: string;

beforeAll(() => {
  loop = makeLoopDevice(8);
  dir = mkdtempSync(join(tmpdir(), 'tsdm-batch-'));
});

afterEach(() => removeDevicesWithPrefix(names.prefix));

afterAll(() => {
  loop?.detach();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The batch: each line's effect is undone by the end, so it can be replayed from the same start. */
function batchLines(): string[] {
  return [
    '# two devices, looked at, a line that fails, then removed',
    `create ${ZERO} -u CLIBATCH-ZERO --table '0 2048 zero'`,
    `create ${LIN} --table "0 1024 linear ${loop.path} 0"`,
    `table ${ZERO} ${LIN}`,
    `info ${ZERO}`,
    `info -c --noheadings -o name,uuid,attr ${ZERO}`,
    `status ${LIN}`,
    '',
    `create ${ZERO} --table '0 8 zero'`,
    `info ${names.of('missing')}`,
    `deps ${LIN}`,
    `remove ${ZERO}`,
    `remove ${LIN}`,
    `info ${ZERO}`,
  ];
}

/** Each command line of the batch run as its own tsdmsetup process, in order. */
function replayed(lines: readonly string[]): Array<{ line: number; args: string[] } & ProcessResult> {
  return lines.flatMap((text, i) => {
    const args = splitBatchLine(text);
    return args.length === 0 ? [] : [{ line: i + 1, args, ...runTsdmsetup(args, { env }) }];
  });
}

describe('tsdmsetup --batch', () => {
  it('--json: each line has the status, stdout and stderr of the same command run alone', () => {
    const lines = batchLines();
    const file = join(dir, 'json-batch');
    writeFileSync(file, lines.join('\n') + '\n');
    const batch = runTsdmsetup(['--json', '--batch', file], { env });
    const results = batch.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as BatchLineResult);
    expect(devicesWithPrefix(names.prefix)).toEqual([]);
    const alone = replayed(lines);
    expect(results).toEqual(alone);
    // The line that creates an existing device and the one about a missing device fail; the batch
    // reports the first failure's status, and nothing is left behind.
    expect(results.filter((r) => r.status !== 0).map((r) => r.line)).toEqual([9, 10, 14]);
    expect(results.find((r) => r.line === 5)!.stdout).toContain(`Name:              ${ZERO}`);
    expect(batch.status).toBe(1);
    expect(batch.stderr).toBe('');
  });

  it('plain: the commands\' own output, in order, and a status line on stderr after each failing line', () => {
    const lines = batchLines();
    const batch = runTsdmsetup(['--batch', '-'], { env, input: lines.join('\n') });
    const alone = replayed(lines);
    expect(batch.stdout).toBe(alone.map((r) => r.stdout).join(''));
    expect(batch.stderr).toBe(alone.map((r) => r.stderr + (r.status ? `tsdmsetup: batch line ${r.line}: exit status ${r.status}\n` : '')).join(''));
    expect(batch.status).toBe(1);
  });

  it('runs every line over one control handle', async () => {
    const handles = new BatchHandles();
    const output = { text: '', write(text: string) { this.text += text; } };
    const status = await runBatch(batchLines().join('\n'), true, { stdout: output, stderr: output }, handles);
    expect(status).toBe(1);
    expect(output.text.trimEnd().split('\n')).toHaveLength(12); // 14 lines, a comment and a blank one among them
    expect(handles.opened).toBe(1);
    expect(devicesWithPrefix(names.prefix)).toEqual([]);
  });
});
