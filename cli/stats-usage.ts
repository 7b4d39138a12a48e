/** dmstats's usage text (dmsetup's _stats_usage), naming the program as dmsetup does. */
const SUBCOMMANDS = [
  'help ',
  'clear [--allregions|--regionid id] [--alldevices|<device>...] ',
  'create [--start <start> [--length <len>]\n\t    [--areas <nr_areas>] [--areasize <size>] \n\t    [--programid <id>] [--userdata <data> ] \n\t    [--bounds histogram_boundaries] [--precise] \n\t    [--segments] [--alldevices|<device>...] ',
  'create --filemap [--nogroup] [--nomonitor] [--follow mode]\n\t    [--programid <id>] [--userdata <data> ] \n\t    [--bounds histogram_boundaries] [--precise] <file_path>',
  'delete [--allprograms|--programid id] \n\t    [--allregions|--regionid id] \n\t    [--alldevices|<device>...] ',
  'group [--alias NAME] --regions <regions>\n\t    [--allprograms|--programid id] [--alldevices|<device>...] ',
  'list [--allprograms|--programid id] [--allregions|--regionid id] ',
  'print [--clear] [--allprograms|--programid id] \n\t    [--allregions|--regionid id] \n\t    [--alldevices|<device>...] ',
  'report [--interval <seconds>] [--count <cnt>]\n\t    [--units <u>] [--programid <id>] [--regionid <id>] \n\t    [-o <fields>] [-O|--sort <sort_fields>]\n\t    [-S|--select <selection>] [--nameprefixes]\n\t    [--noheadings] [--separator <separator>]\n\t    [--allprograms|--programid id] [<device>...]',
  'ungroup --groupid <id> [--allprograms|--programid id] \n\t    [--alldevices|<device>...] ',
  'update_filemap --groupid <id> \n\t    [--nomonitor] [--follow mode] <file_path>',
  'version ',
];

/** The usage dmsetup prints for the stats commands; `program` is `dmstats` or e.g. `tsdmsetup` (shown as `<program> stats`). */
export function statsUsage(program: string): string {
  const name = program === 'dmstats' ? 'dmstats' : `${program} stats`;
  return (
    `Usage:\n\n${name}\n` +
    '        [-h|--help]\n' +
    '        [-v|--verbose [-v|--verbose ...]]\n' +
    '        [--areas <nr_areas>] [--areasize <size>]\n' +
    '        [--userdata <data>] [--clear]\n' +
    '        [--count <count>] [--interval <seconds>]\n' +
    '        [-o <fields>] [-O|--sort <sort_fields>]\n' +
    '\t      [--programid <id>]\n' +
    '        [--start <start>] [--length <length>]\n' +
    '        [--segments] [--units <units>]\n\n' +
    SUBCOMMANDS.map((line) => `\t${line}\n`).join('') +
    "\n<device> may be device name or (if only one) -u <uuid> or -j <major> -m <minor>\n<fields> are comma-separated.  Use 'help -c' for list.\n\n"
  );
}
