/**
 * A full stdout (`tsdmsetup … > /dev/full`): StdioBuffer keeps the first write error and drops
 * the rest instead of throwing out of a command, and the program prints one line naming the
 * error and exits 1 (no Node stack trace). EPIPE stays quiet. (dmsetup 1.02.185 itself says
 * nothing and exits 0; test/vm/rel-faults.test.ts runs `ls`, `table`, `info` so in the guest.)
 * Arguments whose bytes are not UTF-8 are refused (cli/raw-argv.ts).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StdioBuffer } from '../../cli/stdio-buffer.js';

const BIN = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'bin.js');

describe.runIf(existsSync('/dev/full'))('write errors on stdout', () => {
  it('StdioBuffer keeps the first error and drops later output, never throwing', () => {
    const fd = openSync('/dev/full', 'w');
    try {
      const out = new StdioBuffer(fd, false);
      for (let i = 0; i < 100; i++) out.write('x'.repeat(1000) + '\n');
      out.flush();
      expect(out.error?.code).toBe('ENOSPC');
    } finally {
      closeSync(fd);
    }
  });

  it('tsdmsetup --version > /dev/full: one line naming the error, exit 1', () => {
    const fd = openSync('/dev/full', 'w');
    try {
      const run = spawnSync(process.execPath, [BIN, '--version'], { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8', env: { ...process.env, DM_DEV_DIR: '/nonexistent' } });
      expect(run.status).toBe(1);
      const lines = run.stderr.split('\n').filter((line) => line.includes('standard output') || /^\s+at /.test(line));
      expect(lines).toEqual(['Error writing to standard output: No space left on device (ENOSPC).']);
      expect(run.stderr).not.toMatch(/node:fs|Error: ENOSPC/);
    } finally {
      closeSync(fd);
    }
  });
});

describe('command-line arguments that are not valid UTF-8', () => {
  it('are refused naming the argument (Node would turn \\xfe and \\xff into the same U+FFFD)', () => {
    const run = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" remove "$(printf '\\376')"`], { encoding: 'utf8', env: { ...process.env, DM_DEV_DIR: '/nonexistent' } });
    expect(run.status).toBe(1);
    expect(run.stderr).toBe("Argument 2 is not valid UTF-8: tsdmsetup cannot pass its bytes on unchanged.\nCouldn't process command line.\n");
    // A real U+FFFD (ef bf bd) is valid UTF-8 and goes on as given.
    const valid = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" remove "$(printf '\\357\\277\\275')"`], { encoding: 'utf8', env: { ...process.env, DM_DEV_DIR: '/nonexistent' } });
    expect(valid.stderr).not.toContain('not valid UTF-8');
  });
});
