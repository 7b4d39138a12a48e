/**
 * dmsetup's report fields (`_report_fields[]` and libdm's implicit ones), in dmsetup's order: id,
 * heading, initial width, number or string, and section. tsdmsetup computes the Name, Information,
 * Relationship (deps and tree) and Name Components sections; the statistics fields are listed (for
 * `-o help`) but refused when asked for.
 */

/** A report section (libdm's report object type): its description and field-name prefix. */
export interface ReportSection {
  desc: string;
  prefix: string;
}

export const SECTIONS = {
  name: { desc: 'Mapped Device Name', prefix: 'name_' },
  info: { desc: 'Mapped Device Information', prefix: 'info_' },
  deps: { desc: 'Mapped Device Relationship Information', prefix: 'deps_' },
  tree: { desc: 'Mapped Device Relationship Information', prefix: 'tree_' },
  splitname: { desc: 'Mapped Device Name Components', prefix: 'splitname_' },
  stats: { desc: 'Mapped Device Statistics', prefix: 'stats_' },
  region: { desc: 'Mapped Device Statistics Region Information', prefix: 'region_' },
  special: { desc: 'Special', prefix: 'special_' },
} as const satisfies Record<string, ReportSection>;

export type SectionName = keyof typeof SECTIONS;

/** One field definition. */
export interface FieldDef {
  id: string;
  heading: string;
  /** Initial column width (the column grows to its longest value). */
  width: number;
  /** Numbers are right-aligned and sort numerically. */
  numeric: boolean;
  section: SectionName;
  desc: string;
}

/** A field's value: what is printed, and what it sorts by (numbers as C's uint64, strings by strcmp). */
export interface FieldValue {
  text: string;
  sort: bigint | string;
}

type Row = [id: string, heading: string, width: number, numeric: boolean, desc: string];

function section(name: SectionName, rows: Row[]): FieldDef[] {
  return rows.map(([id, heading, width, numeric, desc]) => ({ id, heading, width, numeric, section: name, desc }));
}

const S = false;
const N = true;

/** dmsetup's own fields, in its table order. */
export const FIELDS: readonly FieldDef[] = [
  ...section('name', [
    ['name', 'Name', 16, S, 'Name of mapped device.'],
    ['mangled_name', 'MangledName', 16, S, 'Mangled name of mapped device.'],
    ['unmangled_name', 'UnmangledName', 16, S, 'Unmangled name of mapped device.'],
    ['uuid', 'UUID', 32, S, 'Unique (optional) identifier for mapped device.'],
    ['mangled_uuid', 'MangledUUID', 32, S, 'Mangled unique (optional) identifier for mapped device.'],
    ['unmangled_uuid', 'UnmangledUUID', 32, S, 'Unmangled unique (optional) identifier for mapped device.'],
    ['read_ahead', 'RAhead', 6, N, 'Read ahead value.'],
  ]),
  ...section('info', [
    ['blkdevname', 'BlkDevName', 16, S, 'Name of block device.'],
    ['attr', 'Stat', 4, S, '(L)ive, (I)nactive, (s)uspended, (r)ead-only, read-(w)rite.'],
    ['tables_loaded', 'Tables', 6, S, 'Which of the live and inactive table slots are filled.'],
    ['suspended', 'Suspended', 9, S, 'Whether the device is suspended.'],
    ['readonly', 'Read-only', 9, S, 'Whether the device is read-only or writeable.'],
    ['devno', 'DevNo', 5, S, 'Device major and minor numbers'],
    ['major', 'Maj', 3, N, 'Block device major number.'],
    ['minor', 'Min', 3, N, 'Block device minor number.'],
    ['open', 'Open', 4, N, 'Number of references to open device, if requested.'],
    ['segments', 'Targ', 4, N, 'Number of segments in live table, if present.'],
    ['events', 'Event', 6, N, 'Number of most recent event.'],
  ]),
  ...section('deps', [['device_count', '#Devs', 5, N, 'Number of devices used by this one.']]),
  ...section('tree', [['devs_used', 'DevNamesUsed', 16, S, 'List of names of mapped devices used by this one.']]),
  ...section('deps', [
    ['devnos_used', 'DevNosUsed', 16, S, 'List of device numbers of devices used by this one.'],
    ['blkdevs_used', 'BlkDevNamesUsed', 16, S, 'List of names of block devices used by this one.'],
  ]),
  ...section('tree', [
    ['device_ref_count', '#Refs', 5, N, 'Number of mapped devices referencing this one.'],
    ['names_using_dev', 'RefNames', 8, S, 'List of names of mapped devices using this one.'],
    ['devnos_using_dev', 'RefDevNos', 9, S, 'List of device numbers of mapped devices using this one.'],
  ]),
  ...section('splitname', [
    ['subsystem', 'Subsys', 6, S, 'Userspace subsystem responsible for this device.'],
    ['vg_name', 'VG', 4, S, 'LVM Volume Group name.'],
    ['lv_name', 'LV', 4, S, 'LVM Logical Volume name.'],
    ['lv_layer', 'LVLayer', 7, S, 'LVM device layer.'],
  ]),
  ...section('stats', [
    ['read_count', '#Reads', 6, N, 'Count of reads completed.'],
    ['reads_merged_count', '#RdMrgs', 7, N, 'Count of read requests merged.'],
    ['read_sector_count', '#RdSectors', 10, N, 'Count of sectors read.'],
    ['read_time', 'AccRdTime', 11, N, 'Accumulated duration of all read requests (ns).'],
    ['write_count', '#Writes', 7, N, 'Count of writes completed.'],
    ['writes_merged_count', '#WrMrgs', 7, N, 'Count of write requests merged.'],
    ['write_sector_count', '#WrSectors', 10, N, 'Count of sectors written.'],
    ['write_time', 'AccWrTime', 11, N, 'Accumulated duration of all writes (ns).'],
    ['in_progress_count', '#InProg', 7, N, 'Count of requests currently in progress.'],
    ['io_ticks', 'IoTicks', 7, N, 'Nanoseconds spent servicing requests.'],
    ['queue_ticks', 'QueueTicks', 10, N, 'Total nanoseconds spent in queue.'],
    ['read_ticks', 'RdTicks', 7, N, 'Nanoseconds spent servicing reads.'],
    ['write_ticks', 'WrTicks', 7, N, 'Nanoseconds spent servicing writes.'],
    ['reads_merged_per_sec', 'RMrg/s', 6, N, 'Read requests merged per second.'],
    ['writes_merged_per_sec', 'WMrg/s', 6, N, 'Write requests merged per second.'],
    ['reads_per_sec', 'R/s', 3, N, 'Reads per second.'],
    ['writes_per_sec', 'W/s', 3, N, 'Writes per second.'],
    ['read_size_per_sec', 'RSz/s', 5, N, 'Size of data read per second.'],
    ['write_size_per_sec', 'WSz/s', 5, N, 'Size of data written per second.'],
    ['avg_request_size', 'AvgRqSz', 7, N, 'Average request size.'],
    ['queue_size', 'QSize', 5, N, 'Average queue size.'],
    ['await', 'AWait', 5, N, 'Averate wait time.'],
    ['read_await', 'RdAWait', 7, N, 'Averate read wait time.'],
    ['write_await', 'WrAWait', 7, N, 'Averate write wait time.'],
    ['throughput', 'Throughput', 10, N, 'Throughput.'],
    ['service_time', 'SvcTm', 5, N, 'Service time.'],
    ['util', 'Util%', 5, N, 'Utilization.'],
    ['hist_count', 'Histogram Counts', 16, S, 'Latency histogram counts.'],
    ['hist_count_bounds', 'Histogram Counts', 16, S, 'Latency histogram counts with bin boundaries.'],
    ['hist_count_ranges', 'Histogram Counts', 16, S, 'Latency histogram counts with bin ranges.'],
    ['hist_percent', 'Histogram%', 10, S, 'Relative latency histogram.'],
    ['hist_percent_bounds', 'Histogram%', 10, S, 'Relative latency histogram with bin boundaries.'],
    ['hist_percent_ranges', 'Histogram%', 10, S, 'Relative latency histogram with bin ranges.'],
    ['interval_ns', 'IntervalNs', 10, N, 'Sampling interval in nanoseconds.'],
    ['interval', 'Interval', 8, N, 'Sampling interval.'],
  ]),
  ...section('region', [
    ['region_id', 'RgID', 4, N, 'Region ID.'],
    ['region_start', 'RgStart', 7, N, 'Region start.'],
    ['region_len', 'RgSize', 6, N, 'Region length.'],
    ['area_id', 'ArID', 4, N, 'Area ID.'],
    ['area_start', 'ArStart', 7, N, 'Area offset from start of device.'],
    ['area_len', 'ArSize', 6, N, 'Area length.'],
    ['area_offset', 'ArOff', 5, N, 'Area offset from start of region.'],
    ['area_count', '#Areas', 6, N, 'Area count.'],
    ['group_id', 'GrpID', 5, N, 'Group ID.'],
    ['program_id', 'ProgID', 6, S, 'Program ID.'],
    ['user_data', 'UserData', 8, S, 'Auxiliary data.'],
    ['precise', 'Precise', 7, S, 'Set if nanosecond precision counters are enabled.'],
    ['hist_bins', '#Bins', 9, S, 'The number of histogram bins configured.'],
    ['hist_bounds', 'Histogram Bounds', 16, S, 'Latency histogram bin boundaries.'],
    ['hist_ranges', 'Histogram Ranges', 16, S, 'Latency histogram bin ranges.'],
    ['stats_name', 'Name', 16, S, 'Stats name of current object.'],
    ['obj_type', 'ObjType', 7, S, 'Type of stats object being reported.'],
  ]),
];

/** libdm's implicit fields (dmsetup always reports with selection support, so `selected` is there). */
export const IMPLICIT_FIELDS: readonly FieldDef[] = section('special', [
  ['selected', 'Selected', 8, N, 'Set if item passes selection criteria.'],
  ['help', 'Help', 8, N, 'Show help.'],
  ['?', 'Help', 8, N, 'Show help.'],
]);

/** The sections tsdmsetup can compute; a statistics field is refused. */
export const SUPPORTED_SECTIONS: ReadonlySet<SectionName> = new Set<SectionName>(['name', 'info', 'deps', 'tree', 'splitname', 'special']);

/** The region fields dmsetup declares as sizes (DM_REPORT_FIELD_TYPE_SIZE); the other numbers are plain. */
const SIZE_FIELDS: ReadonlySet<string> = new Set(['region_start', 'region_len', 'area_start', 'area_len', 'area_offset']);

/** libdm's value type of a field, as selection compares it and `-S help` names it. */
export type FieldType = 'number' | 'size' | 'string';

export function fieldType(def: FieldDef): FieldType {
  if (SIZE_FIELDS.has(def.id)) return 'size';
  return def.numeric ? 'number' : 'string';
}

/** The implicit fields a selection cannot compare (libdm's FLD_CMP_UNCOMPARABLE): help and `?`. */
export function isUncomparable(def: FieldDef): boolean {
  return def.section === 'special' && def.id !== 'selected';
}

/**
 * The field list dmsetup prints (to stderr) for `-o help` and before `Unrecognised field`: each
 * section's fields with a `<prefix>all` line, then the special fields; the caller adds the final
 * ` ` line. `withTypes` is the selection's form (libdm's _display_fields(rh, 0, 1)): no `all`
 * lines, and each field's type after its description (`[string]`, `[unselectable number]`).
 */
export function fieldHelpLines(withTypes = false): string[] {
  const idWidth = Math.max(
    ...[...FIELDS, ...IMPLICIT_FIELDS].map((field) => field.id.length),
    ...Object.values(SECTIONS).filter((s) => s !== SECTIONS.special).map((s) => s.prefix.length + 3),
  );
  return [...sectionHelp(FIELDS, idWidth, !withTypes, withTypes), ' ', ...sectionHelp(IMPLICIT_FIELDS, idWidth, false, withTypes)];
}

function typeSuffix(field: FieldDef): string {
  return ` [${isUncomparable(field) ? 'unselectable ' : ''}${fieldType(field)}]`;
}

function sectionHelp(fields: readonly FieldDef[], idWidth: number, allItems: boolean, withTypes: boolean): string[] {
  const lines: string[] = [];
  let lastDesc = '';
  for (const field of fields) {
    const { desc, prefix } = SECTIONS[field.section];
    if (desc !== lastDesc) {
      if (lastDesc) lines.push(' ');
      lines.push(`${desc} Fields`, '-'.repeat(desc.length + 7));
      if (allItems) lines.push(`  ${`${prefix}all`.padEnd(idWidth)} - All fields in this section.`);
    }
    lines.push(`  ${field.id.padEnd(idWidth)} - ${field.desc}${withTypes ? typeSuffix(field) : ''}`);
    lastDesc = desc;
  }
  return lines;
}
