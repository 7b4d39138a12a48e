/**
 * Device-mapper I/O statistics: regions, areas and counters (`@stats_*` messages), and libdm's
 * groups.
 */
export { DeviceStats, DMSTATS_PROGRAM_ID, groupOf } from './stats.js';
export type { CreateRegionOptions, CreatedGroup, StatsMessenger } from './stats.js';
export {
  COUNTER_NAMES,
  formatAuxData,
  formatIdList,
  parseGroupTag,
  parseHistogramBounds,
  parseIdList,
  parseStatsList,
  parseStatsPrint,
} from './parse.js';
export type { StatsArea, StatsCounters, StatsGroupTag, StatsRegion } from './parse.js';
