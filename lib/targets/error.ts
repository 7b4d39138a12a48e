/**
 * The error target: every I/O fails; no params, empty status (libdm's SEG_ERROR). Built into dm-mod.
 */
import { noParamsType } from './zero.js';
import { defineTarget } from './target.js';

/** `error({})`. */
export const error = defineTarget(noParamsType('error', null));
