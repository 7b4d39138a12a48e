/**
 * Compiling small C probes against the system headers, for the tests that prove native-defs: the
 * compiler's word on a constant or a layout, never our own. Without a C compiler or the headers
 * the calls throw with the install command (the tests then fail, never skip).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const C_PROBE_INSTALL_HINT = 'apt-get install -y gcc libc6-dev linux-libc-dev';

/** Runs `cc` with `args` (and `input` on stdin); a missing compiler or a failed compile throws. */
export function cc(args: string[], input?: string): string {
  try {
    return execFileSync('cc', args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new Error(`No C compiler (cc) to check the ABI against the kernel headers. Install one: ${C_PROBE_INSTALL_HINT}`);
    throw new Error(`cc ${args.join(' ')} failed (missing headers? ${C_PROBE_INSTALL_HINT}):\n${e.stderr ?? String(error)}`);
  }
}

/** The object-like macros that `includes` define whose names match `pattern`, with their raw definitions. */
export function definedMacros(includes: string[], pattern: RegExp): Map<string, string> {
  const text = cc(['-dM', '-E', '-x', 'c', '-'], includes.map((h) => `#include <${h}>\n`).join(''));
  const macros = new Map<string, string>();
  for (const match of text.matchAll(/^#define (\w+) (.*)$/gm)) {
    if (pattern.test(match[1]!)) macros.set(match[1]!, match[2]!);
  }
  return macros;
}

/** The preprocessed text of `includes` (enums survive preprocessing; macros do not). */
export function preprocessed(includes: string[]): string {
  return cc(['-E', '-x', 'c', '-'], includes.map((h) => `#include <${h}>\n`).join(''));
}

/**
 * Compiles `includes` plus a `main` that prints `"key": value` for each C expression in
 * `values`, runs it, and returns what it printed as numbers.
 */
export function probeValues(includes: string[], values: Record<string, string>): Record<string, number> {
  const dir = mkdtempSync(join(tmpdir(), 'tsdm-c-probe-'));
  try {
    const entries = Object.entries(values);
    const source = [
      '#include <stddef.h>',
      '#include <stdio.h>',
      ...includes.map((h) => `#include <${h}>`),
      'int main(void) {',
      '  printf("{\\n");',
      ...entries.map(
        ([key, expr], i) => `  printf("\\"${key}\\": %llu${i + 1 < entries.length ? ',' : ''}\\n", (unsigned long long)(${expr}));`,
      ),
      '  printf("}\\n");',
      '  return 0;',
      '}',
      '',
    ].join('\n');
    writeFileSync(join(dir, 'probe.c'), source);
    cc(['-std=gnu11', '-Wall', '-Werror', '-o', join(dir, 'probe'), join(dir, 'probe.c')]);
    return JSON.parse(execFileSync(join(dir, 'probe'), { encoding: 'utf8' })) as Record<string, number>;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
