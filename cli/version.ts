/** The version strings tsdmsetup prints. */
import { readFileSync } from 'node:fs';

/** The libdevmapper release whose dmsetup output and behaviour tsdmsetup reproduces. */
export const COMPATIBLE_LIBDM_VERSION = '1.02.185';

/** This package's own version, from package.json. */
export const PACKAGE_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/**
 * What follows `Library version:`. Its first word is the libdevmapper release we match, so scripts
 * that compare it keep working; the parenthesis says who we are (dmsetup puts a date there).
 */
export const LIBRARY_VERSION_STRING = `${COMPATIBLE_LIBDM_VERSION} (tsdmsetup ${PACKAGE_VERSION})`;
