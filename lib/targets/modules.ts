/**
 * Target modules: make sure the kernel has every target type a table needs before any device is
 * made, loading `dm-<module>` with modprobe where it does not. (The kernel's own request_module at
 * table load can be disabled or fail silently; LVM modprobes for the same reason.)
 */
import { DmError, invalidArgument, isDmError } from '../errors.js';
import { findModprobe, runModprobe } from '../host/modprobe.js';
import type { DmIoctl } from '../ioctl/dm-ioctl.js';
import { decodeTargetVersions, type TargetVersion } from '../ioctl/codec.js';
import { targetType } from './registry.js';

/**
 * Modules of target types the registry does not model yet (their module is not `dm-<type>` and
 * has no `dm-<type>` alias). Modelled types say their own module (TargetType.module).
 */
const UNMODELLED_MODULES: Readonly<Record<string, string>> = {
  mirror: 'dm-mirror',
  multipath: 'dm-multipath',
  unstriped: 'dm-unstripe',
};

/** True when `type` is built into dm-mod itself: always there once the driver is. */
function isBuiltIn(type: string): boolean {
  const kind = targetType(type);
  return kind ? kind.module === null : type === 'linear' || type === 'striped' || type === 'error';
}

/** The module that provides target `type` (`dm-<type>` for a type nobody knows). */
export function moduleForTarget(type: string): string {
  if (typeof type !== 'string') throw invalidArgument('moduleForTarget() needs a target type name (a string)');
  return targetType(type)?.module ?? UNMODELLED_MODULES[type] ?? `dm-${type}`;
}

export interface EnsureTargetsOptions {
  /** modprobe to run for a missing target: a path, or false to only check. Default: found on PATH or /sbin. */
  modprobe?: string | false | undefined;
}

/** Asks the kernel for a target's version; undefined when it has no such target loaded. */
function queryTarget(ioctl: DmIoctl, type: string, listed: () => TargetVersion[]): TargetVersion | undefined {
  if (!ioctl.driverAtLeast(41)) return listed().find((target) => target.name === type);
  try {
    return ioctl.run(
      { command: 'GET_TARGET_VERSION', operation: 'target-version', name: type },
      (buffer, header) => decodeTargetVersions(buffer, header)[0],
    );
  } catch (error) {
    if (isDmError(error, 'EINVAL')) return undefined;
    throw error;
  }
}

/**
 * A handle's target check: each table's types are checked (and their modules loaded) once per
 * handle, since a loaded target module stays loaded while it is used.
 */
export class TargetCheck {
  private readonly known = new Set<string>();

  constructor(
    private readonly ioctl: DmIoctl,
    private readonly options: EnsureTargetsOptions & { enabled: boolean },
  ) {}

  /** ensureTargets for `types`, whether or not checks are switched on. */
  types(types: Iterable<string>): TargetVersion[] {
    return ensureTargets(this.ioctl, types, this.options);
  }

  /** ensureTargets for the rows' types not seen yet on this handle, unless switched off. */
  rows(rows: ReadonlyArray<{ type: string }>): void {
    if (!this.options.enabled) return;
    const unseen = rows.map((row) => row.type).filter((type) => !this.known.has(type));
    if (unseen.length === 0) return;
    for (const target of this.types(unseen)) this.known.add(target.name);
  }
}

/**
 * Makes sure the kernel has each target type in `types`, modprobing `dm-<module>` for a missing one.
 * Throws a DmError (kind `missing-target`, code ENOENT) naming the first type still missing.
 */
export function ensureTargets(ioctl: DmIoctl, types: Iterable<string>, options: EnsureTargetsOptions = {}): TargetVersion[] {
  let cachedList: TargetVersion[] | undefined;
  const listed = (): TargetVersion[] =>
    (cachedList ??= ioctl.run({ command: 'LIST_VERSIONS', operation: 'versions' }, decodeTargetVersions));
  const found: TargetVersion[] = [];
  for (const type of new Set(types)) {
    let version = queryTarget(ioctl, type, listed);
    if (!version && !isBuiltIn(type) && options.modprobe !== false) {
      const module = moduleForTarget(type);
      const failure = runModprobe(options.modprobe ?? findModprobe(), module);
      cachedList = undefined;
      version = queryTarget(ioctl, type, listed);
      if (!version) {
        throw new DmError(`Target type "${type}" is not available in the kernel`, {
          kind: 'missing-target',
          code: 'ENOENT',
          hint: failure ?? `${module} loaded, but it provides no "${type}" target`,
        });
      }
    }
    if (!version) {
      throw new DmError(`Target type "${type}" is not available in the kernel`, {
        kind: 'missing-target',
        code: 'ENOENT',
        hint: isBuiltIn(type) ? 'it is built into dm-mod, which does not provide it' : 'not loaded, and loading modules was switched off',
      });
    }
    found.push(version);
  }
  return found;
}
