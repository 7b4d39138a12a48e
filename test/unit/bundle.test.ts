/**
 * The bundled CLI as the package's bin runs it (scripts/bundle.mjs, scripts/launcher.cjs; `npm
 * run build` makes them): same output as the unbundled dist/cli/bin.js, V8's code cache written
 * beside the bundle on a first run, used after, replaced when stale, and a kernel-free command
 * that loads neither koffi nor node's stream modules. Runs a copy in a temporary directory, so
 * the checkout's own cache is left alone.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'tsdm-bundle-'));
for (const file of ['tsdmsetup.cjs', 'tsdmsetup-bundle.cjs']) copyFileSync(join(repo, 'dist', 'cli', file), join(dir, file));
const cache = join(dir, 'tsdmsetup-bundle.v8cache');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(script: string, args: string[], preload?: string): { status: number | null; stdout: string; stderr: string } {
  const node = preload ? ['--require', preload] : [];
  const result = spawnSync(process.execPath, [...node, script, ...args], { encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: join(dir, 'xdg') } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the bundled CLI', { timeout: 60_000 }, () => {
  it('is the package bin, and prints what the unbundled CLI prints', () => {
    const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(pkg.bin['tsdmsetup']).toBe('dist/cli/tsdmsetup.cjs');
    for (const args of [['splitname', 'vg-lv-layer'], ['help'], ['bogus'], ['info', '--bogus'], ['udevflags', '0x0d4d0010']]) {
      expect(run(join(dir, 'tsdmsetup.cjs'), args)).toEqual(run(join(repo, 'dist', 'cli', 'bin.js'), args));
    }
  });

  it('writes its code cache on a first run, keyed to the bundle and node, and keeps it after', () => {
    rmSync(cache, { force: true });
    expect(run(join(dir, 'tsdmsetup.cjs'), ['splitname', 'a-b']).status).toBe(0);
    const written = readFileSync(cache);
    expect(written.subarray(0, written.indexOf('\n')).toString()).toMatch(new RegExp(`^tsdmsetup-v8cache ${process.version} ${process.arch} \\d+ [\\d.]+$`));
    expect(written.length).toBeGreaterThan(10_000);
    expect(run(join(dir, 'tsdmsetup.cjs'), ['splitname', 'a-b']).status).toBe(0);
    expect(readFileSync(cache).equals(written)).toBe(true); // used, not rewritten
  });

  it('replaces a stale or garbled cache, and still runs', () => {
    writeFileSync(cache, 'tsdmsetup-v8cache v0 none 1 1\nnot a cache');
    const stale = run(join(dir, 'tsdmsetup.cjs'), ['splitname', 'a-b']);
    expect(stale).toMatchObject({ status: 0, stderr: '' });
    expect(readFileSync(cache).subarray(0, 30).toString()).toContain(process.version);
    const key = readFileSync(cache).subarray(0, readFileSync(cache).indexOf('\n') + 1);
    writeFileSync(cache, Buffer.concat([key, Buffer.from('garbage that V8 rejects')]));
    expect(run(join(dir, 'tsdmsetup.cjs'), ['splitname', 'a-b'])).toMatchObject({ status: 0, stderr: '' });
    expect(readFileSync(cache).length).toBeGreaterThan(10_000);
  });

  it('runs a kernel-free command without koffi or node\'s stream and tty modules', () => {
    const preload = join(dir, 'loaded.cjs');
    const report = join(dir, 'loaded.json');
    writeFileSync(preload, `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(report)}, JSON.stringify({ files: Object.keys(require.cache), builtins: process.moduleLoadList })));\n`);
    expect(run(join(dir, 'tsdmsetup.cjs'), ['splitname', 'a-b'], preload).status).toBe(0);
    const loaded = JSON.parse(readFileSync(report, 'utf8')) as { files: string[]; builtins: string[] };
    expect(loaded.files.filter((file) => !file.endsWith('loaded.cjs'))).toEqual([join(dir, 'tsdmsetup.cjs')]);
    expect(loaded.builtins.filter((name) => /koffi|NativeModule (net|stream|tty|crypto|child_process|worker_threads)$/.test(name))).toEqual([]);
  });
});
