/**
 * Units: bytes to sectors without silent truncation, KiB/MiB/GiB/TiB, exact counts past 2^53,
 * and a table's size from its rows.
 */
import { describe, expect, it } from 'vitest';
import { bytesToSectors, gib, kib, mib, sectors, sectorsToBytes, tableSize, tableSizeBig, tib } from '../../../lib/targets/index.js';
import { expectRefused } from './support.js';

describe('units', () => {
  it('bytes become sectors only when whole', () => {
    expect(bytesToSectors(0)).toBe(0);
    expect(bytesToSectors(4096)).toBe(8);
    expect(bytesToSectors(1n << 70n)).toBe(1n << 61n);
    expectRefused(() => bytesToSectors(1000), 'not a whole number of 512-byte sectors');
    expectRefused(() => bytesToSectors(513n), 'not a whole number of 512-byte sectors');
    expectRefused(() => bytesToSectors(-512), 'bytes');
    expectRefused(() => bytesToSectors(2 ** 60), 'pass a bigint');
    expectRefused(() => bytesToSectors(Number.NaN), 'bytes');
  });

  it('KiB, MiB, GiB and TiB', () => {
    expect(kib(4)).toBe(8);
    expect(kib(0.5)).toBe(1);
    expect(mib(1)).toBe(2048);
    expect(gib(1)).toBe(2097152);
    expect(tib(2n)).toBe(4294967296n);
    expect(tib(8n * 1024n * 1024n)).toBe(1n << 54n);
    expectRefused(() => kib(0.25), 'KiB');
    expectRefused(() => tib(8 * 1024 * 1024), 'pass a bigint');
  });

  it('sectors to bytes, and sector counts checked', () => {
    expect(sectorsToBytes(8)).toBe(4096);
    expect(sectorsToBytes(1n << 60n)).toBe(1n << 69n);
    expectRefused(() => sectorsToBytes(2 ** 50), 'pass a bigint');
    expect(sectors(5)).toBe(5);
    expectRefused(() => sectors(-1, 'length'), 'length');
    expectRefused(() => sectors(1n << 64n), 'sector count');
  });

  it('a table size is the end of its last row, exact past 2^53', () => {
    const rows = [
      { start: 0, length: 8, type: 'zero', params: '' },
      { start: 8, length: 24, type: 'error', params: '' },
    ];
    expect(tableSize(rows)).toBe(32);
    expect(tableSize([])).toBe(0);
    const big = [{ start: 0, length: 2 ** 53 - 1 }, { start: 2 ** 53 - 1, length: 2n }];
    expect(tableSizeBig(big)).toBe(9007199254740993n);
    expectRefused(() => tableSize(big), 'tableSizeBig');
    expectRefused(() => tableSize([{ start: 0, length: -1 }]), 'length of row 1');
  });
});
