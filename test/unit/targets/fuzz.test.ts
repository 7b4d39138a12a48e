/**
 * Seeded fuzzing of every registered target type: random params objects for format and the
 * builder, random words for parse, parseStatus and hideSecrets. Property: format/parse/builders
 * throw only DmError; status parsers never throw on text. TSDM_FUZZ_ROUNDS runs longer.
 */
import { describe, expect, it } from 'vitest';
import { rng } from '../fuzz/support.js';
import { DmError } from '../../../lib/errors.js';
import { allTargetTypes, SecretKey, targetType } from '../../../lib/targets/index.js';

const ROUNDS = Number(process.env['TSDM_FUZZ_ROUNDS'] ?? 1000);


const WORDS = ['0', '1', '2', '8', '128', '-1', '7:0', '254:3', '/dev/loop0', 'P', 'PO', 'N', 's', 'p', 'Fail', 'Error', 'Invalid', 'rw', 'ro', '-', '1/2', '3/', '/4', 'x', ':32:logon:k', 'abcd', '18446744073709551616', 'writeback', 'smq', 'default', 'allow_discards', 'sector_size:4096', 'needs_check', '', ' ', '\t', 'A', 'AD'];
const VALUES: unknown[] = [0, 1, -1, 1.5, 2 ** 53, 128, 4096, 1n, -1n, 1n << 65n, '', 'x', 'a b', '/dev/loop0', null, undefined, true, {}, [], { major: 7, minor: 0 }, { major: -1, minor: 0 }, SecretKey.fromHex('00ff'), Number.NaN, Symbol('s')];
const FIELDS = ['device', 'offset', 'chunkSize', 'stripes', 'cipher', 'key', 'ivOffset', 'options', 'origin', 'cow', 'persistent', 'overflow', 'metadata', 'data', 'blockSize', 'lowWater', 'features', 'pool', 'deviceId', 'externalOrigin', 'cache', 'mode', 'policy', 'policyArgs', 'cacheType', 'integrity', 'sectorSize', 'extra'];

function pick<T>(next: () => number, list: readonly T[]): T {
  return list[Math.floor(next() * list.length)]!;
}

function randomValue(next: () => number, depth: number): unknown {
  const roll = next();
  if (depth < 3 && roll < 0.2) return randomObject(next, depth + 1);
  if (depth < 3 && roll < 0.3) return Array.from({ length: Math.floor(next() * 3) }, () => randomValue(next, depth + 1));
  const value = pick(next, VALUES);
  // Copies, so a mutation never writes into a shared value (nor makes a cycle through one).
  if (Array.isArray(value)) return [...value];
  return typeof value === 'object' && value !== null && !(value instanceof SecretKey) ? { ...value } : value;
}

function randomObject(next: () => number, depth = 0): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  const count = Math.floor(next() * 8);
  for (let index = 0; index < count; index++) object[pick(next, FIELDS)] = randomValue(next, depth);
  return object;
}

function randomText(next: () => number): string {
  return Array.from({ length: Math.floor(next() * 14) }, () => pick(next, WORDS)).join(pick(next, [' ', '  ', '\t']));
}

/** Runs `fn`; anything thrown must be a DmError. */
function onlyDmError(fn: () => unknown, what: string): void {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof DmError)) expect.fail(`${what} threw ${String(error)}`);
  }
}


/** A valid params object per type, to mutate one field at a time (so checks deep inside are reached). */
const VALID: Record<string, (dev: { major: number; minor: number }) => Record<string, unknown>> = {
  linear: (dev) => ({ device: dev, offset: 0 }),
  striped: (dev) => ({ chunkSize: 8, stripes: [{ device: dev, offset: 0 }] }),
  crypt: (dev) => ({ cipher: 'aes-xts-plain64', key: SecretKey.fromHex('00ff'), ivOffset: 0, device: dev, offset: 0, options: { allowDiscards: true, integrity: { tagSize: 28, type: 'aead' }, sectorSize: 512, extra: ['x'] } }),
  'snapshot-origin': (dev) => ({ origin: dev }),
  snapshot: (dev) => ({ origin: dev, cow: dev, persistent: true, chunkSize: 8, discardZeroesCow: true }),
  'snapshot-merge': (dev) => ({ origin: dev, cow: dev, persistent: true, chunkSize: 8 }),
  'thin-pool': (dev) => ({ metadata: dev, data: dev, blockSize: 128, lowWater: 0, features: { readOnly: true } }),
  thin: (dev) => ({ pool: dev, deviceId: 1, externalOrigin: dev }),
  cache: (dev) => ({ metadata: dev, cache: dev, origin: dev, blockSize: 64, mode: 'writeback', policy: 'smq', policyArgs: { a: 1 } }),
  writecache: (dev) => ({ cacheType: 'ssd', origin: dev, cache: dev, blockSize: 4096, options: { startSector: 0, highWatermark: 50, cleaner: true, fua: true } }),
};

/** Every path into `value` (objects and arrays; not into keys), each a list of keys. */
function paths(value: unknown, prefix: string[] = []): string[][] {
  if (typeof value !== 'object' || value === null || value instanceof SecretKey) return [];
  return Object.keys(value).flatMap((key) => [[...prefix, key], ...paths((value as Record<string, unknown>)[key], [...prefix, key])]);
}

/** `valid` with one field, at any depth (picked evenly), replaced by a random value. */
function mutate(next: () => number, valid: Record<string, unknown>): Record<string, unknown> {
  const path = pick(next, paths(valid));
  let target = valid;
  for (const key of path.slice(0, -1)) target = target[key] as Record<string, unknown>;
  target[path.at(-1)!] = next() < 0.25 ? null : randomValue(next, 2);
  return valid;
}

describe('fuzz', () => {
  for (const kind of allTargetTypes()) {
    it(`${kind.type}: only DmError from format, parse and the builder; status parsing never throws`, () => {
      const next = rng(0x5eed ^ kind.type.length ^ kind.type.charCodeAt(0));
      const builder = targetType(kind.type) as unknown as (params: unknown) => unknown;
      for (let round = 0; round < ROUNDS; round++) {
        const valid = VALID[kind.type];
        const roll = next();
        const params = roll < 0.1 ? pick(next, VALUES) : valid && roll < 0.8 ? mutate(next, valid({ major: 7, minor: 0 })) : randomObject(next);
        onlyDmError(() => kind.format(params), `${kind.type}.format(${String(params)})`);
        onlyDmError(() => builder(params), `${kind.type}(...)`);
        const text = randomText(next);
        onlyDmError(() => kind.parse(text), `${kind.type}.parse(${JSON.stringify(text)})`);
        // Status text and key hiding take any text: nothing may be thrown at all.
        kind.parseStatus?.(text);
        kind.hideSecrets?.(text);
      }
      onlyDmError(() => kind.parse(undefined as never), `${kind.type}.parse(undefined)`);
      if (kind.parseStatus) onlyDmError(() => kind.parseStatus!(42 as never), `${kind.type}.parseStatus(42)`);
    }, 120_000);
  }
});
