/** The README's examples run against the real kernel, as written (imports pointed at the build). */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { afterEach, describe, expect, it } from 'vitest';
import { removeDevicesWithPrefix } from '../helpers/devices.js';

const root = join(import.meta.dirname, '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

/**
 * The fenced block right after `<!-- readme-test: NAME -->` (an HTML comment: GitHub shows
 * nothing), so blocks can move in the README without the tests losing them.
 */
function markedBlock(name: string, language: string): string {
  const found = [...readme.matchAll(new RegExp(`<!-- readme-test: ${name} -->\\n\`\`\`${language}\\n([\\s\\S]*?)\`\`\``, 'g'))];
  if (found.length !== 1) throw new Error(`README: ${found.length} \`${language}\` blocks marked "readme-test: ${name}"`);
  return found[0]![1]!;
}

/** `source` as Node runs it: types stripped and `using` lowered as tsc does for ES2022. */
function transpiled(source: string): string {
  return ts.transpileModule(source, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText;
}

/** Runs `script` as an ES module in a directory of its own; returns its stdout. */
function runModule(script: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tsdmt-readme-'));
  try {
    writeFileSync(join(dir, 'example.mjs'), script);
    return execFileSync(process.execPath, [join(dir, 'example.mjs')], { encoding: 'utf8' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The toolkit example's file, and the loop devices still bound to it. */
const TOOLKIT_IMAGE = '/tmp/pv.img';
function loopsOn(file: string): string[] {
  return execFileSync('losetup', ['-j', file, '-n', '-O', 'NAME'], { encoding: 'utf8' }).split('\n').filter(Boolean);
}

afterEach(() => {
  removeDevicesWithPrefix('zeros');
  removeDevicesWithPrefix('mytest-');
  removeDevicesWithPrefix('demo-');
  if (existsSync(TOOLKIT_IMAGE)) {
    for (const loop of loopsOn(TOOLKIT_IMAGE)) execFileSync('losetup', ['-d', loop]);
    rmSync(TOOLKIT_IMAGE, { force: true });
  }
});

describe('README', () => {
  it('every block the tests run is marked, each marker once', () => {
    const markers = [...readme.matchAll(/<!-- readme-test: ([\w-]+) -->\n```/g)].map((match) => match[1]);
    expect(markers.sort()).toEqual(['real-host-sh', 'real-host-ts', 'stats', 'test-kit', 'toolkit']);
  });

  it('the toolkit example runs as written: the thin volume follows its rename, the tree shows it, removeTree takes the stack top first', () => {
    const example = markedBlock('toolkit', 'ts');
    expect(example).toContain("from 'tsdmsetup'");
    const out = runModule(transpiled(example.replace("from 'tsdmsetup'", `from '${join(root, 'dist', 'lib', 'index.js')}'`)));
    const [renamed, holders, removed, ...rest] = out.split('\n');
    expect(renamed).toBe('demo-vol 0');
    expect(holders).toBe("[ 'demo-vol' ]");
    // The pool first (it holds the other two); the order of its two legs is the kernel's deps order.
    expect(removed).toMatch(/^\[ 'demo-pool', '(demo-data', 'demo-meta|demo-meta', 'demo-data)' \]$/);
    expect(rest).toEqual(['']);
    expect(execFileSync('dmsetup', ['ls'], { encoding: 'utf8', env: { ...process.env, DM_DISABLE_UDEV: '1' } })).not.toContain('demo-');
    expect(existsSync(TOOLKIT_IMAGE)).toBe(false);
    expect(execFileSync('losetup', ['-a'], { encoding: 'utf8' })).toBe('');
  });

  it('the TypeScript example runs and prints the table it describes', () => {
    const example = markedBlock('real-host-ts', 'ts');
    expect(example).toContain("from 'tsdmsetup'");
    // Point the import at the built library (the example has no types to strip).
    const out = runModule(example.replace("from 'tsdmsetup'", `from '${join(root, 'dist', 'lib', 'index.js')}'`));
    expect(out).toContain("type: 'zero'");
    expect(out).toContain('length: 2048');
    expect(out).toContain("kind: 'status'");
  });

  it('the test kit example runs (`await using` compiled as TypeScript would) and leaves nothing behind', () => {
    const example = markedBlock('test-kit', 'ts');
    expect(example).toContain("from 'tsdmsetup/testing'");
    const out = runModule(transpiled(example.replace("from 'tsdmsetup/testing'", `from '${join(root, 'dist', 'lib', 'testing', 'index.js')}'`)));
    expect(out).toContain("type: 'linear'");
    expect(out).toContain('length: 131072');
    expect(execFileSync('dmsetup', ['ls'], { encoding: 'utf8', env: { ...process.env, DM_DISABLE_UDEV: '1' } })).not.toContain('mytest-');
    expect(execFileSync('losetup', ['-a'], { encoding: 'utf8' })).toBe('');
  });

  it('the shell example for a real host runs (without sudo/npx, which the guest does not need)', () => {
    const block = markedBlock('real-host-sh', 'sh');
    expect(block).toContain('tsdmsetup create zeros');
    const script = block.replace(/sudo npx /g, '');
    const out = execFileSync('sh', ['-e', '-c', script], { encoding: 'utf8' });
    expect(out).toMatch(/^Library version: .*\nDriver version: {4}4\.47\.0\n0 2048 zero \n$/);
  });

  it('the statistics example runs and prints the region and areas it describes', () => {
    const example = markedBlock('stats', 'ts');
    const out = runModule(transpiled(example.replace("from 'tsdmsetup'", `from '${join(root, 'dist', 'lib', 'index.js')}'`)));
    expect(out).toBe("[ '0: 0+2048, 2 areas' ]\n[ '0+1024', '1024+1024' ] bigint\n");
    expect(execFileSync('dmsetup', ['ls'], { encoding: 'utf8', env: { ...process.env, DM_DISABLE_UDEV: '1' } })).not.toContain('zeros-stats');
  });
});
