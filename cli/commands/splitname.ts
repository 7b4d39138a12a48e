/**
 * `splitname <device> [<subsystem>]`: an LVM device name split into volume group, logical volume
 * and layer (`vg--x-lv-_mlog` → `vg-x`, `lv`, `_mlog`), as a report (dmsetup always uses -c for
 * it; default fields vg_name,lv_name,lv_layer). The name is split only for subsystem LVM (the
 * default). No kernel access.
 *
 * --json prints the report's row, `{"report": [{"vg_name", "lv_name", "lv_layer"}]}` (the -o fields).
 */
import type { CommandSpec } from '../context.js';
import { splitName } from '../report/device-fields.js';

/** dmsetup's _splitname_report_options. */
export const SPLITNAME_FIELDS = 'vg_name,lv_name,lv_layer';

export const splitnameCommand: CommandSpec = {
  name: 'splitname',
  minArgs: 1,
  maxArgs: 2,
  run(context) {
    const [name, subsystem = 'LVM'] = context.args as [string, string?];
    // The subsystem argument stands where a uuid's prefix would: all of it is the subsystem.
    const split = splitName(`${subsystem}-`, name);
    const report = context.report!;
    if (report.helpRequested) return;
    const missing = report.columns.find((column) => column.def.section !== 'splitname' && column.def.id !== 'selected');
    if (missing) context.fail(`_do_report_object: no data assigned to field ${missing.def.id}`);
    report.addRow(
      report.columns.map((column) => {
        const text = column.def.id === 'selected' ? '1' : split[column.def.id as keyof typeof split];
        return { text, sort: column.def.id === 'selected' ? 1n : text };
      }),
    );
  },
};
