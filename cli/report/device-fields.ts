/**
 * The values of dmsetup's report fields for one device (`_dm_*_disp` in dmsetup.c), from what the
 * kernel said about it. Printing and lookups only; the ioctls are made by the command.
 */
import type { DeviceInfo, DevNumber, NameMangling } from '../../lib/index.js';
import { formatDev } from '../../lib/device/devt.js';
import { blockDeviceName } from '../../lib/host/sysfs.js';
import { mangledField, unmangledField } from '../mangle.js';
import type { DepTree, TreeNode } from './dep-tree.js';
import type { FieldDef } from './fields.js';
import type { FieldValue } from './report.js';

/** What a report row is made from. */
export interface DeviceReportData {
  info: DeviceInfo;
  /** The read-ahead in sectors, or undefined (it prints its own error line then). */
  readAhead(): number | undefined;
  /** The devices the table uses, when a deps field was asked for. */
  deps?: readonly DevNumber[] | undefined;
  /** The dependency tree and this device's node in it, when a tree field was asked for. */
  tree?: DepTree | undefined;
  treeNode?: TreeNode | undefined;
  /** The run's name mangling mode, for the mangled_* and unmangled_* fields (default auto). */
  nameMangling?: NameMangling | undefined;
}

/**
 * One field's value, or undefined after printing why it cannot be had (dmsetup then drops the row:
 * `_do_report_object: report function failed for field <id>`).
 */
export function deviceFieldValue(def: FieldDef, data: DeviceReportData, error: (line: string) => void): FieldValue | undefined {
  const { info } = data;
  const mode = data.nameMangling ?? 'auto';
  switch (def.id) {
    case 'name':
      return text(info.name);
    case 'unmangled_name':
      return text(unmangledField(info.name, 'name', mode));
    case 'mangled_name':
      return mangled(info.name, 'name', mode, error);
    case 'uuid':
      return text(info.uuid);
    case 'unmangled_uuid':
      return text(unmangledField(info.uuid, 'UUID', mode));
    case 'mangled_uuid':
      return mangled(info.uuid, 'UUID', mode, error);
    case 'read_ahead':
      return uint(data.readAhead() ?? 0);
    case 'blkdevname':
      return kernelName(info, error);
    case 'attr':
      return text(
        (info.liveTable ? 'L' : '-') + (info.inactiveTable ? 'I' : '-') + (info.suspended ? 's' : '-') + (info.readOnly ? 'r' : 'w'),
      );
    case 'tables_loaded':
      return text(info.liveTable ? (info.inactiveTable ? 'Both' : 'Live') : info.inactiveTable ? 'Inactive' : 'None');
    case 'suspended':
      return text(info.suspended ? 'Suspended' : 'Active');
    case 'readonly':
      return text(info.readOnly ? 'Read-only' : 'Writeable');
    case 'devno':
      return text(formatDev(info));
    case 'major':
      return int(info.major);
    case 'minor':
      return int(info.minor);
    case 'open':
      return int(info.openCount);
    case 'segments':
      return int(info.targetCount);
    case 'events':
      return uint(info.eventNr);
    case 'device_count':
      return int(data.deps?.length ?? 0);
    case 'devnos_used':
      return text((data.deps ?? []).map((dev) => formatDev(dev)).join(','));
    case 'blkdevs_used':
      return kernelNames(data.deps ?? [], error);
    case 'devs_used':
      return text(names(data.treeNode?.uses ?? []));
    case 'device_ref_count':
      return int(data.tree && data.treeNode ? data.tree.parentCount(data.treeNode) : 0);
    case 'names_using_dev':
      return text(names(data.treeNode?.usedBy ?? []));
    case 'devnos_using_dev':
      return text(
        (data.treeNode?.usedBy ?? [])
          .filter((node) => node.major !== 0 || node.minor !== 0)
          .map((node) => formatDev(node))
          .join(','),
      );
    case 'subsystem':
    case 'vg_name':
    case 'lv_name':
    case 'lv_layer':
      return text(splitName(info.uuid, info.name)[def.id]);
    case 'selected':
      return int(1);
    default:
      // help, ?: never reported; other sections are refused when the report is set up.
      return text('');
  }
}

/** The device-mapper names among `nodes` (other devices and the tree's root have none). */
function names(nodes: readonly TreeNode[]): string {
  return nodes
    .map((node) => node.name)
    .filter(Boolean)
    .join(',');
}

function text(value: string): FieldValue {
  return { text: value, sort: value };
}

/** dm_report_field_int32: printed signed, sorted as C's (uint64_t) cast of it. */
function int(value: number): FieldValue {
  return { text: String(value), sort: BigInt.asUintN(64, BigInt(value)) };
}

function uint(value: number): FieldValue {
  return { text: String(value >>> 0), sort: BigInt(value >>> 0) };
}

function mangled(value: string, what: 'name' | 'UUID', mode: NameMangling, error: (line: string) => void): FieldValue | undefined {
  const result = mangledField(value, what, mode);
  if ('lines' in result) {
    for (const line of result.lines) error(line);
    return undefined;
  }
  return text(result.value);
}

function kernelName(dev: DevNumber, error: (line: string) => void): FieldValue | undefined {
  const name = blockDeviceName(dev, true);
  if (name === undefined) {
    error(`Could not resolve block device name for ${formatDev(dev)}.`);
    return undefined;
  }
  return text(name);
}

function kernelNames(deps: readonly DevNumber[], error: (line: string) => void): FieldValue | undefined {
  const names: string[] = [];
  for (const dev of deps) {
    const name = blockDeviceName(dev, true);
    if (name === undefined) {
      error(`Could not resolve block device name for ${formatDev(dev)}.`);
      return undefined;
    }
    names.push(name);
  }
  return text(names.join(','));
}

/** The Name Components fields (dmsetup's _get_split_name with dm_split_lvm_name). */
export function splitName(uuid: string, name: string): { subsystem: string; vg_name: string; lv_name: string; lv_layer: string } {
  const dash = uuid.indexOf('-');
  const subsystem = dash === -1 ? '' : uuid.slice(0, dash);
  if (subsystem !== 'LVM') return { subsystem, vg_name: '', lv_name: '', lv_layer: '' };
  const [vg, afterVg] = unquote(name);
  const [lv, afterLv] = unquote(afterVg);
  const [layer] = unquote(afterLv);
  return { subsystem, vg_name: vg, lv_name: lv, lv_layer: layer };
}

/** libdm's _unquote: `--` is a literal `-`, a single `-` ends the component (a trailing one is kept). */
function unquote(text: string): [component: string, rest: string] {
  let out = '';
  let at = 0;
  while (at < text.length) {
    if (at + 1 < text.length && text[at] === '-') {
      if (text[at + 1] !== '-') break;
      at++;
    }
    out += text[at];
    at++;
  }
  return [out, at < text.length ? text.slice(at + 1) : ''];
}
