/**
 * The multipath target: `<#features> <feature>… <#handler args> [<hw handler> <arg>…] <#groups>
 * <initial group> (<selector> <#selector args> <arg>… <#paths> <#path args> (<device> <arg>…)…)…`
 * (libdm's multipath segments as multipath-tools writes them; the kernel's dm-mpath.c). Module
 * dm-multipath; selectors round-robin, queue-length, service-time are modules of their own,
 * loaded by the kernel. The kernel shows back the hardware handler's name only, and for each
 * group the number of path args its selector takes (round-robin 1, service-time 2).
 * Status: `2 <queue_io> <pg_init count> <#handler words>… <#groups> <next group> (<A|E|D>
 * <#selector words>… <#paths> <#path words> (<device> <A|F> <fail count> <word>…)…)…`.
 */
import { isDmError } from '../errors.js';
import { ArgReader, fieldError, formatDevice, formatUint, formatWord, type DeviceRef } from './fields.js';
import { defineTarget } from './target.js';

/** multipath's features, in the kernel's order. */
export interface MultipathFeatures {
  /** Queue I/O while no path works (instead of failing it). */
  queueIfNoPath?: boolean;
  /** `pg_init_retries`: how many times to retry a failed path group initialisation. */
  pgInitRetries?: number;
  /** `pg_init_delay_msecs`: milliseconds to wait between those retries. */
  pgInitDelayMsecs?: number;
  /**
   * `retain_attached_hw_handler`: keep a hardware handler already attached to the device, instead
   * of `hwHandler`.
   */
  retainAttachedHwHandler?: boolean;
  /** `bio` for bio-based multipath (stackable on any device); rq/mq are request-based, the default. */
  queueMode?: 'bio' | 'rq' | 'mq';
}

/** One path: a device and its selector's args (round-robin: repeat count; service-time: repeat count, relative throughput). */
export interface MultipathPath {
  /** The path's device. */
  device: DeviceRef;
  /** The selector's per-path args, as words (e.g. `['1']` for round-robin's repeat count). */
  args?: string[];
}

/** A priority group: a path selector and its paths. */
export interface MultipathGroup {
  /** round-robin, queue-length, service-time, historical-service-time, io-affinity. */
  selector: string;
  /** The selector's own args, as words (usually none). */
  selectorArgs?: string[];
  /** The group's paths, at least one. */
  paths: MultipathPath[];
}

/** What `multipath(…)` takes: features, a hardware handler and the priority groups of paths. */
export interface MultipathParams {
  /** Optional features; omitted when none is set (the kernel shows `0`). */
  features?: MultipathFeatures;
  /**
   * A hardware handler (`alua`, `emc`, `rdac`, …) and its args, for arrays that need path group
   * initialisation.
   */
  hwHandler?: { name: string; args?: string[] };
  /** The group to try first, from 1 (default 1). */
  initialGroup?: number;
  /** The priority groups, tried in order from `initialGroup`. */
  groups: MultipathGroup[];
}

/** One path in the status. */
export interface MultipathPathStatus {
  /** The path's device, as the kernel names it (`major:minor`). */
  readonly device: DeviceRef;
  /** A: active; F: failed. */
  readonly active: boolean;
  /** How many times the path has failed. */
  readonly failCount: number;
  /** The selector's words for this path (service-time: in-flight size, relative throughput). */
  readonly selector: readonly string[];
}

/**
 * What `multipath.parseStatus` gives: queueing, the next group and each group's and path's state;
 * or the raw text.
 */
export type MultipathStatus =
  | {
      readonly type: 'multipath';
      readonly state: 'ok';
      /** The kernel's queue_io flag: I/O waits until a path group is chosen (set at first, before any I/O) or initialised. */
      readonly queueIo: boolean;
      readonly pgInitCount: number;
      readonly hwHandler: readonly string[];
      readonly nextGroup: number;
      readonly groups: readonly {
        /** active: in use; enabled: usable; disabled: bypassed. */
        readonly state: 'active' | 'enabled' | 'disabled' | (string & {});
        readonly selector: readonly string[];
        readonly paths: readonly MultipathPathStatus[];
      }[];
      readonly extra: readonly string[];
    }
  | { readonly type: 'multipath'; readonly state: 'unknown'; readonly raw: string };

const GROUP_STATE: Record<string, string> = { A: 'active', E: 'enabled', D: 'disabled' };

function words(field: string, list: unknown): string[] {
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw fieldError('multipath', field, 'must be a list of words');
  return list.map((word, index) => formatWord('multipath', `${field}[${index}]`, word));
}

function formatFeatures(features: MultipathFeatures | undefined): string[] {
  if (features === undefined) return [];
  if (typeof features !== 'object' || features === null) throw fieldError('multipath', 'features', 'must be an object');
  const out: string[] = [];
  if (features.queueIfNoPath) out.push('queue_if_no_path');
  if (features.pgInitRetries !== undefined) out.push('pg_init_retries', formatUint('multipath', 'features.pgInitRetries', features.pgInitRetries, 1, 50));
  if (features.pgInitDelayMsecs !== undefined) out.push('pg_init_delay_msecs', formatUint('multipath', 'features.pgInitDelayMsecs', features.pgInitDelayMsecs, 0, 60000));
  if (features.retainAttachedHwHandler) out.push('retain_attached_hw_handler');
  if (features.queueMode !== undefined) {
    if (!['bio', 'rq', 'mq'].includes(features.queueMode)) throw fieldError('multipath', 'features.queueMode', 'must be bio, rq or mq');
    out.push('queue_mode', features.queueMode);
  }
  return out;
}

function parseFeatures(list: readonly string[]): MultipathFeatures {
  const features: MultipathFeatures = {};
  const args = new ArgReader('multipath', list.join(' '));
  while (!args.done) {
    const word = args.word('features');
    if (word === 'queue_if_no_path') features.queueIfNoPath = true;
    else if (word === 'pg_init_retries') features.pgInitRetries = args.uint('features.pgInitRetries');
    else if (word === 'pg_init_delay_msecs') features.pgInitDelayMsecs = args.uint('features.pgInitDelayMsecs');
    else if (word === 'retain_attached_hw_handler') features.retainAttachedHwHandler = true;
    else if (word === 'queue_mode') {
      const mode = args.word('features.queueMode');
      if (mode !== 'bio' && mode !== 'rq' && mode !== 'mq') throw fieldError('multipath', 'features.queueMode', `must be bio, rq or mq, not "${mode}"`);
      features.queueMode = mode;
    } else throw fieldError('multipath', 'features', `has an unknown feature "${word}"`);
  }
  return features;
}

function formatGroup(group: MultipathGroup, at: string): string[] {
  if (typeof group !== 'object' || group === null) throw fieldError('multipath', at, 'must be { selector, paths }');
  if (!Array.isArray(group.paths) || group.paths.length === 0) throw fieldError('multipath', `${at}.paths`, 'must be a list of at least one { device, args? }');
  const selectorArgs = words(`${at}.selectorArgs`, group.selectorArgs);
  const out = [formatWord('multipath', `${at}.selector`, group.selector), String(selectorArgs.length), ...selectorArgs];
  const pathArgs = group.paths.map((path, index) => {
    if (typeof path !== 'object' || path === null) throw fieldError('multipath', `${at}.paths[${index}]`, 'must be { device, args? }');
    return words(`${at}.paths[${index}].args`, path.args);
  });
  const count = pathArgs[0]!.length;
  if (pathArgs.some((args) => args.length !== count)) throw fieldError('multipath', `${at}.paths`, 'must all have the same number of args');
  out.push(String(group.paths.length), String(count));
  group.paths.forEach((path, index) => out.push(formatDevice('multipath', `${at}.paths[${index}].device`, path.device), ...pathArgs[index]!));
  return out;
}

function parseGroup(args: ArgReader, at: string): MultipathGroup {
  const group: MultipathGroup = { selector: args.word(`${at}.selector`), paths: [] };
  const selectorArgs = args.args(`${at}.selectorArgs`);
  if (selectorArgs.length > 0) group.selectorArgs = selectorArgs;
  const count = args.uint(`${at}.path count`, 1);
  const argCount = args.uint(`${at}.path arg count`);
  for (let index = 0; index < count; index++) {
    const path: MultipathPath = { device: args.device(`${at}.paths[${index}].device`) };
    const pathArgs = Array.from({ length: argCount }, () => args.word(`${at}.paths[${index}].args`));
    if (pathArgs.length > 0) path.args = pathArgs;
    group.paths.push(path);
  }
  return group;
}

/** Status words → status; a malformed line (the reader refuses) is kept raw. */
function readStatus(args: ArgReader): MultipathStatus {
  const features = args.args('features');
  const hwHandler = args.args('hwHandler');
  const groupCount = args.uint('group count');
  const nextGroup = args.uint('next group');
  const groups = Array.from({ length: groupCount }, () => {
    const state = args.word('group state');
    const selector = args.args('selector');
    const pathCount = args.uint('path count');
    const wordCount = args.uint('path word count');
    const paths = Array.from({ length: pathCount }, (): MultipathPathStatus => {
      const device = args.device('path');
      const active = args.word('path state') === 'A';
      const failCount = args.uint('fail count');
      return { device, active, failCount, selector: Array.from({ length: wordCount }, () => args.word('path words')) };
    });
    return { state: GROUP_STATE[state] ?? state, selector, paths };
  });
  return { type: 'multipath', state: 'ok', queueIo: features[0] === '1', pgInitCount: Number(features[1] ?? 0), hwHandler, nextGroup, groups, extra: args.rest() };
}

/**
 * The multipath target: one device over several paths, in priority groups. E.g. `multipath({
 * groups: [{ selector: 'round-robin', paths: [{ device, args: ['1'] }] }] })`.
 */
export const multipath = defineTarget<MultipathParams, MultipathStatus>({
  type: 'multipath',
  module: 'dm-multipath',
  format(params) {
    if (!Array.isArray(params.groups) || params.groups.length === 0) throw fieldError('multipath', 'groups', 'must be a list of at least one priority group');
    const features = formatFeatures(params.features);
    const out = [String(features.length), ...features];
    if (params.hwHandler === undefined) out.push('0');
    else {
      const handlerArgs = words('hwHandler.args', params.hwHandler.args);
      out.push(String(1 + handlerArgs.length), formatWord('multipath', 'hwHandler.name', params.hwHandler.name), ...handlerArgs);
    }
    out.push(String(params.groups.length), formatUint('multipath', 'initialGroup', params.initialGroup ?? 1, 0, params.groups.length));
    params.groups.forEach((group, index) => out.push(...formatGroup(group, `groups[${index}]`)));
    return out.join(' ');
  },
  parse(text) {
    const args = new ArgReader('multipath', text);
    const features = parseFeatures(args.args('features'));
    const handler = args.args('hwHandler');
    const groupCount = args.uint('group count', 1);
    const initialGroup = args.uint('initialGroup', 0, groupCount);
    const groups = Array.from({ length: groupCount }, (_, index) => parseGroup(args, `groups[${index}]`));
    args.end();
    const params: MultipathParams = { groups };
    if (Object.keys(features).length > 0) params.features = features;
    if (handler.length > 0) params.hwHandler = handler.length > 1 ? { name: handler[0]!, args: handler.slice(1) } : { name: handler[0]! };
    if (initialGroup !== 1) params.initialGroup = initialGroup;
    return params;
  },
  parseStatus(text) {
    try {
      return readStatus(new ArgReader('multipath', text));
    } catch (error) {
      if (!isDmError(error)) throw error;
      return { type: 'multipath', state: 'unknown', raw: typeof text === 'string' ? text.trim() : '' };
    }
  },
});
