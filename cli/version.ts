/** The version strings tsdmsetup prints. */
import { existsSync, readFileSync } from 'node:fs';

/** The libdevmapper release whose dmsetup output and behaviour tsdmsetup reproduces. */
export const COMPATIBLE_LIBDM_VERSION = '1.02.185';

/**
 * This package's own version, from package.json (one level up from cli/ in the sources, two from
 * dist/cli/). Read when asked, not at start-up: only `version` needs it.
 */
export function packageVersion(): string {
  return (JSON.parse(readPackageJson()) as { version: string }).version;
}

function readPackageJson(): string {
  for (const relative of ['../package.json', '../../package.json']) {
    const url = new URL(relative, import.meta.url);
    if (existsSync(url)) return readFileSync(url, 'utf8');
  }
  throw new Error('tsdmsetup: package.json not found');
}

/**
 * What follows `Library version:`. Its first word is the libdevmapper release we match, so scripts
 * that compare it keep working; the parenthesis says who we are (dmsetup puts a date there).
 */
export function libraryVersionString(): string {
  return `${COMPATIBLE_LIBDM_VERSION} (tsdmsetup ${packageVersion()})`;
}
