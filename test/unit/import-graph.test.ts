/**
 * The import map of the sources: no circle anywhere in lib/, cli/ and native-defs/ (type-only
 * imports included: a circle of types is still a knot for the reader), and imports only point
 * down: cli -> lib -> native-defs, never back up.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const LAYERS = ['native-defs', 'lib', 'cli'] as const;

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Relative imports and re-exports of `file`, as repo paths of .ts files. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specifiers = [...text.matchAll(/^\s*(?:import|export)\b[^'";]*?\bfrom\s+'(\.[^']+)'/gm), ...text.matchAll(/^\s*import\s+'(\.[^']+)'/gm)];
  return specifiers.map((match) => relative(ROOT, resolve(ROOT, dirname(file), match[1]!.replace(/\.js$/, '.ts'))));
}

const files = LAYERS.flatMap((layer) => sourceFiles(layer));
const graph = new Map(files.map((file) => [file, importsOf(file)]));

/** Every circle, each as the path that closes it. */
function circles(): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of files) if (!state.has(file)) visit(file);
  return found;
}

describe('the import map', () => {
  it('reads the sources (the scan finds files and their imports)', () => {
    expect(files).toContain('lib/index.ts');
    expect(files).toContain('cli/main.ts');
    expect(graph.get('cli/main.ts')).toContain('cli/context.ts');
  });

  it('every relative import names a source file that exists', () => {
    const missing = [...graph].flatMap(([file, imports]) => imports.filter((target) => !graph.has(target)).map((target) => `${file} -> ${target}`));
    expect(missing).toEqual([]);
  });

  it('has no circle', () => {
    expect(circles().map((path) => path.join(' -> '))).toEqual([]);
  });

  it('points only down: cli -> lib -> native-defs', () => {
    const layer = (file: string): number => LAYERS.findIndex((name) => file.startsWith(`${name}/`));
    const upward = [...graph].flatMap(([file, imports]) =>
      imports.filter((target) => layer(target) > layer(file)).map((target) => `${file} -> ${target}`),
    );
    expect(upward).toEqual([]);
  });
});
