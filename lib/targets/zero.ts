/**
 * The zero target: reads return zeros, writes are dropped; no params, empty status
 * (Documentation/admin-guide/device-mapper/zero.rst; libdm's SEG_ZERO). Module dm-zero.
 */
import { ArgReader, fieldError } from './fields.js';
import { defineTarget, type TargetType } from './target.js';

/** zero and error take no params. */
export type NoParams = Record<string, never>;

/** A target type with no params: format gives '', parse accepts only empty text. */
export function noParamsType(type: string, module: string | null): TargetType<NoParams> {
  return {
    type,
    module,
    format(params) {
      const keys = typeof params === 'object' && params !== null ? Object.keys(params) : [];
      if (keys[0] !== undefined) throw fieldError(type, keys[0], 'is not a parameter: this target takes none');
      return '';
    },
    parse(text) {
      new ArgReader(type, text).end();
      return {};
    },
  };
}

/**
 * The zero target, `zero({})`: reads give zeros, writes are dropped (e.g. a sparse base for a
 * snapshot); no params.
 */
export const zero = defineTarget(noParamsType('zero', 'dm-zero'));
