/**
 * The program's name in the usage text and messages: `dmsetup` when the executable runs under
 * that name (bound or linked over /sbin/dmsetup), else `tsdmsetup` (dmsetup 1.02.185 prints
 * `dmsetup` in its usage whatever it is called). Runs the built bin (`npm run build`) through a
 * link named dmsetup, as a client that calls /sbin/dmsetup would.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { programName } from '../../cli/start.js';

const bin = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'tsdmsetup.cjs');
const dir = mkdtempSync(join(tmpdir(), 'tsdm-program-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(script: string, args: string[]): { status: number | null; stderr: string } {
  const result = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' });
  return { status: result.status, stderr: result.stderr };
}

describe('the program name', { timeout: 60_000 }, () => {
  it('is dmsetup under the name dmsetup, tsdmsetup otherwise', () => {
    expect(programName('/usr/sbin/dmsetup')).toBe('dmsetup');
    expect(programName('dmsetup')).toBe('dmsetup');
    expect(programName('/work/dist/cli/tsdmsetup.cjs')).toBe('tsdmsetup');
    expect(programName('/usr/local/bin/tsdmsetup')).toBe('tsdmsetup');
    expect(programName('/usr/sbin/dmsetup.real')).toBe('tsdmsetup');
    expect(programName(undefined)).toBe('tsdmsetup');
  });

  it("under a link named dmsetup, prints dmsetup's usage and getopt's message with dmsetup's name", () => {
    const link = join(dir, 'dmsetup');
    symlinkSync(bin, link);
    const usage = run(link, []);
    expect(usage.status).toBe(1);
    expect(usage.stderr.startsWith('Usage:\n\ndmsetup\n        [--version]')).toBe(true);
    expect(run(link, ['--bogus'])).toEqual({ status: 1, stderr: "dmsetup: unrecognized option '--bogus'\nCouldn't process command line.\n" });
    expect(run(link, ['create', '--concise', 'a', 'b']).stderr).toBe('dmsetup create --concise takes at most one argument\nCommand failed.\n');
  });

  it('as tsdmsetup, names itself', () => {
    expect(run(bin, []).stderr.startsWith('Usage:\n\ntsdmsetup\n')).toBe(true);
    expect(run(bin, ['-x']).stderr).toBe("tsdmsetup: invalid option -- 'x'\nCouldn't process command line.\n");
  });
});
