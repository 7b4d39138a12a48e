/**
 * The writecache target: `<p|s> <origin> <cache> <block size> <#options> <option>…`, a write-back
 * cache on pmem or an SSD (Documentation/admin-guide/device-mapper/writecache.rst; libdm's
 * SEG_WRITECACHE). Module dm-writecache. Status as libdm's dm_get_status_writecache reads it,
 * with the counters Linux 5.15+ adds after the first four.
 */
import { ArgReader, fieldError, formatDevice, formatSectors, formatUint, statusNumber, statusWords, type DeviceRef } from './fields.js';
import { defineTarget } from './target.js';
import type { Sectors } from './units.js';

/** writecache's options; written in the order the kernel shows them. */
export interface WritecacheOptions {
  /** Offset on the cache device, in sectors. */
  startSector?: Sectors;
  /** Percent of used blocks at which writeback starts (default 50). */
  highWatermark?: number;
  /** Percent at which writeback stops (default 45). */
  lowWatermark?: number;
  /** `writeback_jobs`: the most blocks in flight during writeback (lower: slower writeback, faster reads). */
  writebackJobs?: number;
  /** `autocommit_blocks`: commit after this many blocks written without a flush. */
  autocommitBlocks?: number;
  /** Milliseconds. */
  autocommitTime?: number;
  /** Milliseconds a block may stay in the cache. */
  maxAge?: number;
  /** Write everything back and cache no new writes. */
  cleaner?: boolean;
  /** pmem only: true for `fua`, false for `nofua`. */
  fua?: boolean;
  /** `metadata_only`: cache only metadata (REQ_META) writes. */
  metadataOnly?: boolean;
  /** Milliseconds writeback pauses while there is other I/O. */
  pauseWriteback?: number;
}

/** What `writecache(…)` takes: the cache medium's kind, origin and cache devices, block size and options. */
export interface WritecacheParams {
  /** pmem (persistent memory) or ssd. */
  cacheType: 'pmem' | 'ssd';
  /** The slow device written back to. */
  origin: DeviceRef;
  /** The fast device (pmem or an SSD) holding the cache. */
  cache: DeviceRef;
  /** Bytes: 512 to the page size, a power of two (4096 recommended). */
  blockSize: number;
  /** Optional params; omitted when none is set. */
  options?: WritecacheOptions;
}

/** The options with a value, in kernel order, and their kernel words. */
const VALUED = [
  ['startSector', 'start_sector'],
  ['highWatermark', 'high_watermark'],
  ['lowWatermark', 'low_watermark'],
  ['writebackJobs', 'writeback_jobs'],
  ['autocommitBlocks', 'autocommit_blocks'],
  ['autocommitTime', 'autocommit_time'],
  ['maxAge', 'max_age'],
] as const;

/**
 * What `writecache.parseStatus` gives: error state, block counts, blocks under writeback and
 * (5.15+) the I/O counters; or the raw text.
 */
export type WritecacheStatus =
  | {
      readonly type: 'writecache';
      readonly state: 'ok';
      /** 0, or the errno of the error the cache met. */
      readonly error: number;
      readonly totalBlocks: Sectors;
      readonly freeBlocks: Sectors;
      readonly writebackBlocks: Sectors;
      /** Linux 5.15+: reads, readHits, writes, writeHitsUncommitted, writeHitsCommitted, writesAround, writesAllocate, writesBlockedOnFreelist, flushes, discards. */
      readonly counters: Readonly<Partial<Record<(typeof COUNTERS)[number], Sectors>>>;
      readonly extra: readonly string[];
    }
  | { readonly type: 'writecache'; readonly state: 'unknown'; readonly raw: string };

const COUNTERS = [
  'reads',
  'readHits',
  'writes',
  'writeHitsUncommitted',
  'writeHitsCommitted',
  'writesAround',
  'writesAllocate',
  'writesBlockedOnFreelist',
  'flushes',
  'discards',
] as const;

function formatOptions(options: WritecacheOptions | undefined): string[] {
  if (options === undefined) return [];
  if (typeof options !== 'object' || options === null) throw fieldError('writecache', 'options', 'must be an object');
  const words: string[] = [];
  for (const [field, word] of VALUED) {
    const value = options[field];
    if (value === undefined) continue;
    const text =
      field === 'startSector'
        ? formatSectors('writecache', `options.${field}`, value)
        : formatUint('writecache', `options.${field}`, value, 0, field.endsWith('Watermark') ? 100 : 0xffffffff);
    words.push(word, text);
  }
  if (options.cleaner) words.push('cleaner');
  if (options.fua !== undefined) words.push(options.fua ? 'fua' : 'nofua');
  if (options.metadataOnly) words.push('metadata_only');
  if (options.pauseWriteback !== undefined) words.push('pause_writeback', formatUint('writecache', 'options.pauseWriteback', options.pauseWriteback));
  return words;
}

/**
 * The writecache target: a write-back cache on pmem or an SSD. E.g. `writecache({ cacheType: 'ssd',
 * origin, cache, blockSize: 4096 })`.
 */
export const writecache = defineTarget<WritecacheParams, WritecacheStatus>({
  type: 'writecache',
  module: 'dm-writecache',
  format(params) {
    if (params.cacheType !== 'pmem' && params.cacheType !== 'ssd') throw fieldError('writecache', 'cacheType', 'must be pmem or ssd');
    const blockSize = formatUint('writecache', 'blockSize', params.blockSize, 512, 65536);
    if ((params.blockSize & (params.blockSize - 1)) !== 0) throw fieldError('writecache', 'blockSize', `must be a power of two, not ${blockSize}`);
    const options = formatOptions(params.options);
    return [
      params.cacheType === 'pmem' ? 'p' : 's',
      formatDevice('writecache', 'origin', params.origin),
      formatDevice('writecache', 'cache', params.cache),
      blockSize,
      String(options.length),
      ...options,
    ].join(' ');
  },
  parse(text) {
    const args = new ArgReader('writecache', text);
    const kind = args.word('cacheType');
    if (kind !== 'p' && kind !== 's') throw fieldError('writecache', 'cacheType', `must be p or s, not "${kind}"`);
    const params: WritecacheParams = { cacheType: kind === 'p' ? 'pmem' : 'ssd', origin: args.device('origin'), cache: args.device('cache'), blockSize: args.uint('blockSize', 512, 65536) };
    const options: WritecacheOptions = {};
    const words = new ArgReader('writecache', args.args('options').join(' '));
    while (!words.done) {
      const word = words.word('options');
      const valued = VALUED.find(([, name]) => name === word);
      if (valued) (options as Record<string, unknown>)[valued[0]] = valued[0] === 'startSector' ? words.sectors(`options.${valued[0]}`) : words.uint(`options.${valued[0]}`);
      else if (word === 'cleaner') options.cleaner = true;
      else if (word === 'fua' || word === 'nofua') options.fua = word === 'fua';
      else if (word === 'metadata_only') options.metadataOnly = true;
      else if (word === 'pause_writeback') options.pauseWriteback = words.uint('options.pauseWriteback');
      else throw fieldError('writecache', 'options', `has an unknown option "${word}"`);
    }
    args.end();
    if (Object.keys(options).length > 0) params.options = options;
    return params;
  },
  parseStatus(text) {
    const words = statusWords(text);
    const first = words.slice(0, 4).map(statusNumber);
    if (first.length < 4 || first.some((value) => value === undefined)) return { type: 'writecache', state: 'unknown', raw: text.trim() };
    const counters: Partial<Record<(typeof COUNTERS)[number], Sectors>> = {};
    COUNTERS.forEach((name, index) => {
      const value = statusNumber(words[4 + index]);
      if (value !== undefined) counters[name] = value;
    });
    const [error, totalBlocks, freeBlocks, writebackBlocks] = first as Sectors[];
    return { type: 'writecache', state: 'ok', error: Number(error), totalBlocks: totalBlocks!, freeBlocks: freeBlocks!, writebackBlocks: writebackBlocks!, counters, extra: words.slice(4 + COUNTERS.length) };
  },
});
