/**
 * The C references of `npm run bench` (c/raw.c: raw ioctls; c/libdm.c: libdevmapper): compiled on
 * the host with cc before the guest boots (the guest sees the repository through hostfs), and run
 * in the guest once per sample as `PROG CASE N ARGS…`, which prints ns per operation.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export interface References {
  raw: string;
  libdm: string;
}

export const INSTALL_HINT =
  "apt-get install -y gcc libdevmapper-dev libudev-dev=$(dpkg-query -W -f='${Version}' libudev1)";

/** Compiles both references into `outDir`; a missing compiler or header fails with the install line. */
export function compileReferences(repoRoot: string, outDir: string): References {
  mkdirSync(outDir, { recursive: true });
  const source = join(repoRoot, 'test', 'bench', 'c');
  const refs = { raw: join(outDir, 'raw'), libdm: join(outDir, 'libdm') };
  const build = (out: string, file: string, libs: string[]): void => {
    try {
      execFileSync('cc', ['-O2', '-Wall', '-o', out, join(source, file), ...libs], { stdio: ['ignore', 'inherit', 'pipe'] });
    } catch (error) {
      const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? String(error);
      throw new Error(`bench: cannot compile ${file} (needs cc and libdevmapper-dev):\n${stderr}\nInstall with:\n  ${INSTALL_HINT}`);
    }
  };
  build(refs.raw, 'raw.c', ['-lpthread']);
  build(refs.libdm, 'libdm.c', ['-ldevmapper', '-lpthread']);
  return refs;
}

/** One sample: ns per operation as the program measured it (its start-up excluded). */
export function runReference(program: string, caseName: string, n: number, args: readonly string[]): number {
  const out = execFileSync(program, [caseName, String(n), ...args], {
    encoding: 'utf8',
    // libdm: no udev checks at all, nodes kept by the library itself (as ours with nodes: true).
    env: { ...process.env, DM_DISABLE_UDEV: '1' },
  });
  const ns = Number(out.trim());
  if (!Number.isFinite(ns)) throw new Error(`${program} ${caseName}: unexpected output ${JSON.stringify(out)}`);
  return ns;
}
