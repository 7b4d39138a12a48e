/**
 * The bundled tsdmsetup (run by `npm run build` after tsc): every module of cli/, lib/ and
 * native-defs/ in one CommonJS file, dist/cli/tsdmsetup-bundle.cjs, started by the package's
 * `bin`, dist/cli/tsdmsetup.cjs (scripts/launcher.cjs, copied). One file instead of ~150 to
 * find, read and link is most of what start-up costs; koffi stays external (its addon is
 * required on first use, lib/sys/libc.ts). esbuild is a build-time tool only: the published
 * package runs the files this writes, with no esbuild.
 */
import { build } from 'esbuild';
import { chmodSync, copyFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'cli');

/**
 * Our modules do their work when called, never when imported (test/unit/bundle.test.ts checks
 * the bundle runs): saying so lets esbuild leave out, and not initialize, the modules a command
 * does not reach, when the command's module is imported (the barrel lib/index.ts re-exports
 * everything, and a module behind it would otherwise run its imports, node:crypto and all).
 */
const sideEffectFree = {
  name: 'side-effect-free-sources',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^\./ }, async (args) => {
      if (args.pluginData === 'resolving') return undefined;
      const resolved = await pluginBuild.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: 'resolving' });
      if (resolved.errors.length > 0 || !resolved.path.startsWith(root) || resolved.path.includes('/node_modules/')) return resolved;
      return { ...resolved, sideEffects: false };
    });
  },
};

await build({
  // The entry is cli/start.ts's runProcess; bin.ts's top-level await has no CommonJS form.
  stdin: {
    contents:
      "import { runProcess } from './cli/start.ts';\n" +
      // As a top-level await would: an unexpected error ends the process with its stack, status 1.
      'runProcess(process.argv.slice(2)).catch((error) => { process.exitCode = 1; throw error; });\n',
    resolveDir: root,
    sourcefile: 'tsdmsetup-entry.ts',
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['koffi'],
  // CommonJS has no import.meta: the bundle's own file URL stands in for every module's.
  define: { 'import.meta.url': '__tsdmsetupBundleUrl' },
  banner: { js: '"use strict";\nvar __tsdmsetupBundleUrl = require("node:url").pathToFileURL(__filename).href;' },
  plugins: [sideEffectFree],
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
  outfile: join(out, 'tsdmsetup-bundle.cjs'),
});

// A code cache of an older bundle must not sit beside the new one (the launcher would reject
// it by its key anyway; this keeps dist/ clean).
rmSync(join(out, 'tsdmsetup-bundle.v8cache'), { force: true });
copyFileSync(join(root, 'scripts', 'launcher.cjs'), join(out, 'tsdmsetup.cjs'));
chmodSync(join(out, 'tsdmsetup.cjs'), 0o755);
