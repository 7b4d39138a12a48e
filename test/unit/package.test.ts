/**
 * The package as npm publishes it: `npm pack --dry-run --json` in a clean copy of the sources
 * (so prepack's clean build runs, and no stale dist/ file of this checkout can hide or cause a
 * problem). Every source map must point at sources the tarball ships, the LICENSE must be in it,
 * and every export target must be in it.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..', '..');
const COPIED = ['package.json', 'LICENSE', 'README.md', 'CHANGELOG.md', 'tsconfig.json', 'lib', 'cli', 'native-defs', 'scripts'];

let workDir: string | undefined;
let cached: string[] | undefined;

/**
 * The tarball's file list, packed once. Each test calls it, so a failure fails every test (a
 * failing beforeAll would only mark them skipped).
 */
function packed(): { files: string[]; dir: string } {
  if (!cached) {
    workDir ??= mkdtempSync(join(tmpdir(), 'tsdm-pack-'));
    for (const entry of COPIED) {
      if (existsSync(join(repo, entry))) cpSync(join(repo, entry), join(workDir, entry), { recursive: true });
    }
    symlinkSync(realpathSync(join(repo, 'node_modules')), join(workDir, 'node_modules'));
    const out = execFileSync('npm', ['pack', '--dry-run', '--json'], {
      cwd: workDir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false' },
    });
    const report = JSON.parse(out) as { files: { path: string }[] }[];
    cached = report[0]!.files.map((file) => file.path);
  }
  return { files: cached, dir: workDir! };
}

afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('npm pack', { timeout: 180_000 }, () => {
  it('ships the compiled library, CLI and native-defs, with source maps', () => {
    const { files } = packed();
    expect(files).toContain('dist/lib/index.js');
    expect(files).toContain('dist/cli/bin.js');
    expect(files.filter((f) => f.endsWith('.js.map')).length).toBeGreaterThan(60);
    expect(files.some((f) => f.startsWith('dist/test/'))).toBe(false);
  });

  it('every source map points only at sources that are in the tarball', () => {
    const { files, dir } = packed();
    const shipped = new Set(files);
    const dangling: string[] = [];
    for (const map of files.filter((f) => f.endsWith('.map'))) {
      const parsed = JSON.parse(readFileSync(join(dir, map), 'utf8')) as { sources: string[]; sourceRoot?: string };
      expect(parsed.sources.length).toBeGreaterThan(0);
      for (const source of parsed.sources) {
        const path = normalize(join(dirname(map), parsed.sourceRoot ?? '', source));
        if (!shipped.has(path)) dangling.push(`${map} -> ${path}`);
      }
    }
    expect(dangling).toEqual([]);
  });

  it('includes the LICENSE (MIT, as package.json says)', () => {
    const { files, dir } = packed();
    expect(files).toContain('LICENSE');
    expect(readFileSync(join(dir, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n\nCopyright \(c\) 2026 the tsdmsetup authors\n/);
    expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).license).toBe('MIT');
  });

  it('every export and the bin resolve to files in the tarball', () => {
    const { files, dir } = packed();
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      exports: Record<string, Record<string, string>>;
      bin: Record<string, string>;
    };
    expect(Object.keys(pkg.exports)).toContain('./testing');
    const targets = [...Object.values(pkg.exports).flatMap((entry) => Object.values(entry)), ...Object.values(pkg.bin)];
    for (const target of targets) expect(files).toContain(normalize(target));
  });
});
