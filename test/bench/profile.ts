/**
 * `--profile`: runs profile-loop.js under `node --cpu-prof` in the guest for info() and list(), and
 * sums each function's self time from the .cpuprofile (V8's format: nodes with hitCount, and a
 * sample interval) into a short table of where the time goes.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { BenchDevices } from './fixture.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
}

/** Self time per function (name, file:line), largest first, as shares of the whole profile. */
export function selfTimes(profile: CpuProfile, repoRoot: string): Array<{ where: string; share: number; ms: number }> {
  const totalHits = profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0) || 1;
  const msPerHit = (profile.endTime - profile.startTime) / 1000 / totalHits;
  const byFunction = new Map<string, number>();
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url ? relative(repoRoot, url.replace(/^file:\/\//, '')) : '';
    const where = `${functionName || '(anonymous)'} ${file ? `${file}:${lineNumber + 1}` : ''}`.trim();
    byFunction.set(where, (byFunction.get(where) ?? 0) + (node.hitCount ?? 0));
  }
  return [...byFunction]
    .map(([where, hits]) => ({ where, share: hits / totalHits, ms: hits * msPerHit }))
    .sort((a, b) => b.share - a.share);
}

function profileOne(repoRoot: string, what: 'info' | 'list', n: number): string {
  const dir = mkdtempSync('/tmp/tsdm-prof-');
  try {
    const start = process.hrtime.bigint();
    execFileSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, join(repoRoot, 'dist/test/bench/profile-loop.js'), what, String(n)], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const wall = Number(process.hrtime.bigint() - start) / 1e6;
    const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
    if (!file) throw new Error('bench: node --cpu-prof wrote no profile');
    const rows = selfTimes(JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile, repoRoot).slice(0, 15);
    const lines = rows.map(
      (row) => `  ${(row.share * 100).toFixed(1).padStart(5)}%  ${row.ms.toFixed(0).padStart(6)} ms  ${((row.ms * 1000) / n).toFixed(2).padStart(8)} µs/call  ${row.where}`,
    );
    return [`${what}() × ${n} (process ${wall.toFixed(0)} ms, start-up included), self time:`, ...lines].join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Profiles info() at the base devices and list() at the device count the run has reached. */
export function profileHotPaths(repoRoot: string, devices: BenchDevices): string {
  const count = devices.count();
  return [profileOne(repoRoot, 'info', 20_000), `(list at ${count} devices)`, profileOne(repoRoot, 'list', count >= 5_000 ? 50 : 500)].join('\n');
}
