#!/usr/bin/env node
/**
 * The `tsdmsetup` executable as tsc builds it (dist/cli/bin.js). The package's `bin` is the
 * bundled single file (dist/cli/tsdmsetup.cjs, see scripts/bundle.mjs), which starts at the same
 * runProcess.
 */
import { runProcess } from './start.js';

await runProcess(process.argv.slice(2));
