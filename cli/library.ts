/**
 * The library's handle-opening half (DeviceMapper and the node paths), imported by main just
 * before a command that talks to the kernel runs: a kernel-free command (`splitname`, `help`)
 * never loads it, nor koffi, the threads or the udev code behind it (issue 12). CliContext.dm()
 * is synchronous, as the commands call it; main awaits loadLibrary() first.
 */
import type { DeviceMapper, DeviceNodes, resolveDevDir } from '../lib/index.js';

/** What CliContext needs of the library. */
export interface HandleLibrary {
  DeviceMapper: typeof DeviceMapper;
  DeviceNodes: typeof DeviceNodes;
  resolveDevDir: typeof resolveDevDir;
}

let loaded: HandleLibrary | undefined;

/** Imports the library (once). */
export async function loadLibrary(): Promise<HandleLibrary> {
  loaded ??= await import('../lib/index.js');
  return loaded;
}

/** The library, loaded by loadLibrary(); a command that runs without it is a bug of main's. */
export function library(): HandleLibrary {
  if (!loaded) throw new Error('tsdmsetup: internal error: a kernel-free command asked for the library');
  return loaded;
}
