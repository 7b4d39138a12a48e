/** The README's examples run against the real kernel, as written (imports pointed at the build). */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { afterEach, describe, expect, it } from 'vitest';
import { removeDevicesWithPrefix } from '../helpers/devices.js';

const root = join(import.meta.dirname, '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** The fenced blocks of one language, in order. */
function codeBlocks(language: string): string[] {
  return [...readme.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map((match) => match[1]!);
}

afterEach(() => {
  removeDevicesWithPrefix('zeros');
  removeDevicesWithPrefix('mytest-');
});

describe('README', () => {
  it('the TypeScript example runs and prints the table it describes', () => {
    const [example] = codeBlocks('ts');
    expect(example).toContain("from 'tsdmsetup'");
    const dir = mkdtempSync(join(tmpdir(), 'tsdmt-readme-'));
    try {
      // Strip the types the example does not have and point the import at the built library.
      const script = example!.replace("from 'tsdmsetup'", `from '${join(root, 'dist', 'lib', 'index.js')}'`);
      writeFileSync(join(dir, 'example.mjs'), script);
      const out = execFileSync(process.execPath, [join(dir, 'example.mjs')], { encoding: 'utf8' });
      expect(out).toContain("type: 'zero'");
      expect(out).toContain('length: 2048');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the test kit example runs (`await using` compiled as TypeScript would) and leaves nothing behind', () => {
    const example = codeBlocks('ts').find((text) => text.includes("from 'tsdmsetup/testing'"))!;
    const dir = mkdtempSync(join(tmpdir(), 'tsdmt-readme-'));
    try {
      const source = example.replace("from 'tsdmsetup/testing'", `from '${join(root, 'dist', 'lib', 'testing', 'index.js')}'`);
      const { outputText } = ts.transpileModule(source, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } });
      writeFileSync(join(dir, 'kit.mjs'), outputText);
      const out = execFileSync(process.execPath, [join(dir, 'kit.mjs')], { encoding: 'utf8' });
      expect(out).toContain("type: 'linear'");
      expect(out).toContain('length: 131072');
      expect(execFileSync('dmsetup', ['ls'], { encoding: 'utf8', env: { ...process.env, DM_DISABLE_UDEV: '1' } })).not.toContain('mytest-');
      expect(execFileSync('losetup', ['-a'], { encoding: 'utf8' })).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the shell example for a real host runs (without sudo/npx, which the guest does not need)', () => {
    const block = codeBlocks('sh').find((text) => text.includes('tsdmsetup create zeros'))!;
    const script = block.replace(/sudo npx /g, '');
    const out = execFileSync('sh', ['-e', '-c', script], { encoding: 'utf8' });
    expect(out).toMatch(/^Library version: .*\nDriver version: {4}4\.47\.0\n0 2048 zero \n$/);
  });
});
