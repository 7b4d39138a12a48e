/**
 * The snapshot-origin target: `<origin device>`, the origin of snapshots, copying each chunk out
 * to their COW devices before it is overwritten (Documentation/admin-guide/device-mapper/
 * snapshot.rst; libdm's SEG_SNAPSHOT_ORIGIN). Module dm-snapshot. Empty status.
 */
import { ArgReader, formatDevice, type DeviceRef } from './fields.js';
import { defineTarget } from './target.js';

/** What `snapshotOrigin(…)` takes: the device holding the origin's data. */
export interface SnapshotOriginParams {
  /** The device holding the origin's data. */
  origin: DeviceRef;
}

/**
 * The snapshot-origin target: the origin of snapshots, copying chunks to their COWs before they are
 * overwritten. E.g. `snapshotOrigin({ origin })`.
 */
export const snapshotOrigin = defineTarget<SnapshotOriginParams>({
  type: 'snapshot-origin',
  module: 'dm-snapshot',
  format(params) {
    return formatDevice('snapshot-origin', 'origin', params.origin);
  },
  parse(text) {
    const args = new ArgReader('snapshot-origin', text);
    const params = { origin: args.device('origin') };
    args.end();
    return params;
  },
});
