/**
 * The error target: every I/O fails; no params, empty status (libdm's SEG_ERROR). Built into dm-mod.
 */
import { noParamsType } from './zero.js';
import { defineTarget } from './target.js';

/**
 * The error target, `error({})`: every read and write fails with EIO; no params (e.g. to fence off
 * part of a table).
 */
export const error = defineTarget(noParamsType('error', null));
