import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hostHasAmx, umlPreloadEnv } from './uml-xstate.js';
import { repoRoot } from './vm.js';

describe('the AMX ptrace shim for linux.uml', () => {
  it('is needed only where /proc/cpuinfo lists amx_tile', () => {
    expect(hostHasAmx('processor\t: 0\nflags\t\t: fpu sse avx512f amx_bf16 amx_tile amx_int8\n')).toBe(true);
    expect(hostHasAmx('processor\t: 0\nflags\t\t: fpu sse avx2 avx512f\n')).toBe(false);
    expect(hostHasAmx('')).toBe(false);
  });

  it('adds nothing to the environment on a host without AMX', () => {
    expect(umlPreloadEnv('/nonexistent', repoRoot, false)).toEqual({});
  });

  it('is built into the scratch directory and preloaded on an AMX host', () => {
    const scratch = mkdtempSync(join(tmpdir(), 'tsdm-shim-'));
    try {
      const env = umlPreloadEnv(scratch, repoRoot, true);
      expect(env).toEqual({ LD_PRELOAD: join(scratch, 'uml-xstate-shim.so') });
      expect(existsSync(join(scratch, 'uml-xstate-shim.so'))).toBe(true);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
