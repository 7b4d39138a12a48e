/**
 * snapshot and snapshot-merge: round trips (P, PO, N, discard features), refusals naming the
 * field, and the status parser on real lines: active, Invalid, Overflow, merge progress.
 */
import { describe, expect, it } from 'vitest';
import { snapshot, snapshotMerge } from '../../../lib/targets/index.js';
import { checkTarget } from './support.js';

const dev = (major: number, minor: number) => ({ major, minor });

for (const kind of [snapshot, snapshotMerge]) {
  describe(kind.type, () => {
    checkTarget(kind, {
      // As `dmsetup table` printed them on Linux 6.1.176 (UML VM).
      good: [
        ['254:0 254:1 P 8', { origin: dev(254, 0), cow: dev(254, 1), persistent: true, chunkSize: 8 }],
        ['254:0 7:3 N 16', { origin: dev(254, 0), cow: dev(7, 3), persistent: false, chunkSize: 16 }],
        ['254:0 254:1 PO 8', { origin: dev(254, 0), cow: dev(254, 1), persistent: true, overflow: true, chunkSize: 8 }],
        ['254:0 7:1 P 8 2 discard_zeroes_cow discard_passdown_origin', { origin: dev(254, 0), cow: dev(7, 1), persistent: true, chunkSize: 8, discardZeroesCow: true, discardPassdownOrigin: true }],
        ['254:0 7:1 P 8 1 discard_zeroes_cow', { origin: dev(254, 0), cow: dev(7, 1), persistent: true, chunkSize: 8, discardZeroesCow: true }],
      ],
      badParams: [
        [{ origin: dev(254, 0), cow: dev(7, 1), persistent: true, chunkSize: 12 }, 'chunkSize'],
        [{ origin: dev(254, 0), cow: dev(7, 1), persistent: true, chunkSize: 0 }, 'chunkSize'],
        [{ origin: dev(254, 0), cow: dev(7, 1), persistent: false, overflow: true, chunkSize: 8 }, 'overflow'],
        [{ origin: dev(254, 0), cow: dev(7, 1), persistent: true, chunkSize: 8, discardPassdownOrigin: true }, 'discardPassdownOrigin'],
        [{ origin: dev(254, 0), persistent: true, chunkSize: 8 }, 'cow'],
      ],
      badText: [
        ['254:0 254:1 X 8', 'persistent'],
        ['254:0 254:1 P', 'chunkSize'],
        ['254:0 254:1 P 8 1 bogus', 'features'],
        ['254:0', 'cow'],
      ],
    });
  });
}

describe('snapshot status', () => {
  // `dmsetup status` lines from Linux 6.1.176 (UML VM).
  it('an active snapshot: used/total and metadata sectors', () => {
    expect(snapshot.parseStatus('16/64 16')).toEqual({ type: 'snapshot', state: 'active', used: 16, total: 64, metadata: 16, mergeDone: true, extra: [] });
    expect(snapshot.parseStatus('41136/131072 176')).toMatchObject({ used: 41136, total: 131072, metadata: 176, mergeDone: false });
    expect(snapshot.parseStatus('0/131072 0')).toMatchObject({ used: 0, total: 131072 });
    // Kernels before 2.6.33 print no metadata count.
    expect(snapshot.parseStatus('48/64')).toMatchObject({ used: 48, metadata: undefined, mergeDone: false });
  });

  it('Invalid (COW filled), Overflow (PO COW full), Merge failed', () => {
    expect(snapshot.parseStatus('Invalid')).toEqual({ type: 'snapshot', state: 'invalid' });
    expect(snapshot.parseStatus('Overflow')).toEqual({ type: 'snapshot', state: 'overflow' });
    expect(snapshotMerge.parseStatus('Merge failed')).toEqual({ type: 'snapshot-merge', state: 'merge-failed' });
    expect(snapshotMerge.parseStatus('Invalid')).toEqual({ type: 'snapshot-merge', state: 'invalid' });
  });

  it('merge progress: done once only metadata is left', () => {
    expect(snapshotMerge.parseStatus('16/131072 16')).toMatchObject({ type: 'snapshot-merge', mergeDone: true });
    expect(snapshotMerge.parseStatus('4112/131072 16')).toMatchObject({ mergeDone: false, used: 4112 });
  });

  it('unknown text is kept raw', () => {
    expect(snapshot.parseStatus('Something new')).toEqual({ type: 'snapshot', state: 'unknown', raw: 'Something new' });
    expect(snapshot.parseStatus('1/2 3 more')).toMatchObject({ state: 'active', extra: ['more'] });
  });
});
