/**
 * One handle's name mangling, applied where libdevmapper applies it: names and uuids the caller
 * gives are mangled before they are sent (dm_task_set_name, _set_uuid, _set_newname,
 * _set_newuuid), and the names and uuids of every reply are unmangled before anyone reads them
 * (libdm-iface.c's _dm_ioctl_unmangle_names and _uuids). Mode `none` passes both ways verbatim.
 * A refusal is a NameManglingError carrying libdm's log lines, which dmsetup prints.
 */
import type { DmCommandName } from '../../native-defs/index.js';
import type { DeviceId } from '../device/device-id.js';
import { DmError, type DmErrorKind } from '../errors.js';
import type { NameListEntry, ReplyHeader } from '../ioctl/codec.js';
import { mangledMoreThanOnce, mangleString, unmangleString, type MangledWhat, type NameMangling } from './mangle.js';

/**
 * A string of whitelisted bytes only (no backslash, no byte over 0x7f), shorter than either
 * field: every mode leaves it as it is both ways, and none refuses it. Nearly every name and uuid
 * is one, so the codec answers with one regular-expression test instead of a byte-by-byte rewrite.
 */
const PLAIN = /^[0-9A-Za-z#+\-.:=@_]{0,127}$/;

/** A name or uuid refused by the handle's mangling mode; `lines` are libdm's messages for it. */
export class NameManglingError extends DmError {
  /** libdm's error lines, in order (dmsetup prints each on stderr). */
  readonly lines: readonly string[];

  /** `kind` is 'invalid-argument' for a caller's string, 'parse' for one the kernel sent. */
  constructor(lines: readonly string[], kind: DmErrorKind) {
    super(lines.join(' '), { kind, code: 'EINVAL' });
    this.lines = lines;
  }
}

/** libdm's second line when a setter cannot mangle its string (punctuation as libdm has it). */
function failedToMangle(what: MangledWhat, value: string): string {
  switch (what) {
    case 'name':
      return `Failed to mangle device name "${value}".`;
    case 'UUID':
      return `Failed to mangle device uuid "${value}".`;
    case 'new name':
      return `Failed to mangle new device name "${value}"`;
    case 'new UUID':
      return `Failed to mangle new device UUID "${value}"`;
  }
}

/**
 * libdm's name mangling applied where libdm applies it, for one handle: names and uuids the caller
 * gives are mangled on the way to the kernel, and the kernel's are unmangled on the way back.
 */
export class NameCodec {
  /** @param mode 'none' sends and shows names as they are; 'hex' and 'auto' as libdm's modes. */
  constructor(
    /** The mangling mode this codec applies. */
    readonly mode: NameMangling,
  ) {}

  /** The form the kernel gets of a name or uuid the caller gave; throws NameManglingError. */
  toKernel(value: string, what: MangledWhat): string {
    if (this.mode === 'none' || PLAIN.test(value)) return value;
    const twice = mangledMoreThanOnce(value, what, this.mode);
    if (twice) throw new NameManglingError([twice], 'invalid-argument');
    const outcome = mangleString(value, what, this.mode);
    if ('error' in outcome) throw new NameManglingError([outcome.error, failedToMangle(what, value)], 'invalid-argument');
    return outcome.value;
  }

  /** The address as sent: its name or uuid mangled. */
  deviceId(id: DeviceId): DeviceId {
    if (id.name !== undefined) return { name: this.toKernel(id.name, 'name') };
    if (id.uuid !== undefined) return { uuid: this.toKernel(id.uuid, 'UUID') };
    return id;
  }

  /**
   * libdm's dm_mknodes names a device's node by its unmangled name as well (auto and hex: dmsetup
   * mknodes makes `/dev/mapper/a b` beside `a\x20b`): those names, for the devices whose names
   * unmangle to something else. A name the mode refuses (a raw `a b` in auto) is skipped and the
   * first refusal returned, for the caller to throw once the rest is done, as dmsetup fails then.
   */
  unmangledAliases<T extends { name: string }>(devices: readonly T[]): { aliases: T[]; refused: NameManglingError | undefined } {
    const aliases: T[] = [];
    let refused: NameManglingError | undefined;
    if (this.mode === 'none') return { aliases, refused };
    for (const device of devices) {
      const errors: string[] = [];
      const shown = this.unmangle(device.name, 'name', errors);
      if (errors.length > 0) refused ??= new NameManglingError(errors, 'parse');
      else if (shown !== device.name) aliases.push({ ...device, name: shown });
    }
    return { aliases, refused };
  }

  /**
   * Whether mknodes leaves the /dev/mapper entry `entry` alone though no device has that name: in
   * auto and hex modes, one whose mangled form differs (libdm looks up and removes the mangled
   * path, so an unmangled node outlives its device, as with dmsetup), or that cannot be mangled.
   */
  keptEntry(entry: string): boolean {
    if (this.mode === 'none') return false;
    const outcome = mangleString(entry, 'name', this.mode);
    return 'error' in outcome || outcome.value !== entry;
  }

  /** A name or uuid the kernel sent, as callers see it; throws NameManglingError. */
  fromKernel(value: string, what: 'name' | 'UUID'): string {
    const errors: string[] = [];
    const shown = this.unmangle(value, what, errors);
    if (errors.length > 0) throw new NameManglingError(errors, 'parse');
    return shown;
  }

  /**
   * The reply header as callers see it: its name unmangled, and its uuid too except after
   * DEV_REMOVE (libdm leaves a removed device's uuid alone). `kernelName` keeps the name as the
   * kernel has it, for /dev/mapper. Throws NameManglingError with each refused string's line.
   */
  reply(header: ReplyHeader, command: DmCommandName): ReplyHeader {
    // The header as it is: its name is the kernel's (decodeName falls back to it).
    if (this.mode === 'none') return header;
    // The usual reply: nothing to unmangle, so the header as it is (its name is the kernel's too).
    if (PLAIN.test(header.name) && (command === 'DEV_REMOVE' || PLAIN.test(header.uuid))) return header;
    const errors: string[] = [];
    const name = this.unmangle(header.name, 'name', errors);
    // libdm stops before the uuid once a name was refused.
    const uuid = errors.length === 0 && command !== 'DEV_REMOVE' ? this.unmangle(header.uuid, 'UUID', errors) : header.uuid;
    if (errors.length > 0) throw new NameManglingError(errors, 'parse');
    // A view over the header (a lazy ReplyView whose getters read its buffer), not a copy of it.
    return Object.create(header, {
      name: { value: name, enumerable: true },
      uuid: { value: uuid, enumerable: true },
      kernelName: { value: header.name, enumerable: true },
    }) as ReplyHeader;
  }

  /** LIST_DEVICES records as callers see them; every refused name or uuid is named before the throw. */
  entries(entries: NameListEntry[]): NameListEntry[] {
    if (this.mode === 'none') return entries;
    const errors: string[] = [];
    // The usual list: every name and uuid plain, nothing to unmangle, no copies.
    if (entries.every((entry) => PLAIN.test(entry.name) && (!entry.uuid || PLAIN.test(entry.uuid)))) return entries;
    const shown = entries.map((entry) => {
      const copy = { ...entry, name: this.unmangle(entry.name, 'name', errors) };
      if (entry.uuid) copy.uuid = this.unmangle(entry.uuid, 'UUID', errors);
      return copy;
    });
    if (errors.length > 0) throw new NameManglingError(errors, 'parse');
    return shown;
  }

  /** _do_dm_ioctl_unmangle_string: a refusal's line goes to `errors`, and the string stays as it was. */
  private unmangle(value: string, what: 'name' | 'UUID', errors: string[]): string {
    if (this.mode === 'none' || PLAIN.test(value)) return value;
    const twice = mangledMoreThanOnce(value, what, this.mode);
    if (twice) {
      errors.push(twice);
      return value;
    }
    const outcome = unmangleString(value, what, this.mode);
    if ('error' in outcome) {
      errors.push(outcome.error);
      return value;
    }
    return outcome.value;
  }
}
