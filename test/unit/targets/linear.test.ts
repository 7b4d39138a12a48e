/**
 * linear: format/parse round trips, the kernel's canonical device form, refusals naming the field,
 * and the builder's Target value (row/table helpers, toString/JSON).
 */
import { describe, expect, it } from 'vitest';
import { allTargetTypes, linear, moduleForTarget, parseTableRow, rawTarget, row, table, targetType, thinPool } from '../../../lib/targets/index.js';
import { expectRefused } from './support.js';

describe('linear', () => {
  it.each([
    ['7:0 0', { device: { major: 7, minor: 0 }, offset: 0 }],
    ['253:12 2048', { device: { major: 253, minor: 12 }, offset: 2048 }],
    ['/dev/loop0 8', { device: '/dev/loop0', offset: 8 }],
    ['7:1 18446744073709551615', { device: { major: 7, minor: 1 }, offset: 18446744073709551615n }],
    ['7:1 9007199254740993', { device: { major: 7, minor: 1 }, offset: 9007199254740993n }],
  ])('%s round-trips', (text, params) => {
    expect(linear.parse(text)).toEqual(params);
    expect(linear.format(params)).toBe(text);
  });

  it('parse accepts any white space between words, as the kernel does', () => {
    expect(linear.parse('  7:0\t\t16 ')).toEqual({ device: { major: 7, minor: 0 }, offset: 16 });
  });

  it.each([
    [{ device: '', offset: 0 }, 'device'],
    [{ device: '/dev/a b', offset: 0 }, 'device'],
    [{ device: { major: 4096, minor: 0 }, offset: 0 }, 'device'],
    [{ device: { major: 7, minor: -1 }, offset: 0 }, 'device'],
    [{ device: 7, offset: 0 }, 'device'],
    [{ device: '/dev/loop0', offset: -1 }, 'offset'],
    [{ device: '/dev/loop0', offset: 1.5 }, 'offset'],
    [{ device: '/dev/loop0', offset: 2 ** 53 }, 'offset'],
    [{ device: '/dev/loop0', offset: 1n << 64n }, 'offset'],
    [{ device: '/dev/loop0', offset: '0' }, 'offset'],
    [{ device: '/dev/loop0' }, 'offset'],
  ])('format refuses %o naming %s', (params, field) => {
    expectRefused(() => linear.format(params as never), `linear: ${field}`);
    expectRefused(() => linear(params as never), `linear: ${field}`);
  });

  it.each([
    ['', 'device'],
    ['7:0', 'offset'],
    ['7:0 x', 'offset'],
    ['7:0 -1', 'offset'],
    ['7:0 18446744073709551616', 'offset'],
    ['7:0 0 extra', 'params'],
  ])('parse refuses %j naming %s', (text, field) => {
    expectRefused(() => linear.parse(text), `linear: ${field}`);
  });

  it('is built into dm-mod and found in the registry', () => {
    expect(linear.module).toBeNull();
    expect(targetType('linear')).toBe(linear);
    expect(moduleForTarget('linear')).toBe('dm-linear');
    expect(moduleForTarget('thin')).toBe('dm-thin-pool');
    expect(moduleForTarget('flakey')).toBe('dm-flakey');
  });
});

describe('builders, rows and tables', () => {
  const a = linear({ device: { major: 7, minor: 0 }, offset: 0 });
  const b = linear({ device: '/dev/loop1', offset: 100 });

  it('row() and table() make TableRows; table() computes the starts', () => {
    expect(row(0, 8, a)).toEqual({ start: 0, length: 8, type: 'linear', params: '7:0 0' });
    expect(table([{ length: 8, target: a }, { length: 16n, target: b }, { length: 4, target: rawTarget('zero', '') }])).toEqual([
      { start: 0, length: 8, type: 'linear', params: '7:0 0' },
      { start: 8, length: 16, type: 'linear', params: '/dev/loop1 100' },
      { start: 24, length: 4, type: 'zero', params: '' },
    ]);
  });

  it('table() refuses an empty list, a zero or unsafe length and a non-target', () => {
    expectRefused(() => table([]), 'at least one segment');
    expectRefused(() => table([{ length: 0, target: a }]), 'length');
    expectRefused(() => table([{ length: 2n ** 64n, target: a }]), 'length');
    expectRefused(() => table([{ length: 2n ** 63n, target: a }, { length: 2n ** 63n, target: a }]), 'past sector 2^64-1');
    expectRefused(() => table([{ length: 8, target: { type: 'linear' } as never }]), 'target');
  });

  it('parseTableRow gives the typed target back, and keeps an unknown type raw', () => {
    const parsed = parseTableRow(row(0, 8, b), linear);
    expect(parsed.target.params).toEqual({ device: '/dev/loop1', offset: 100 });
    expect(parsed.target.is(linear)).toBe(true);
    const raw = parseTableRow({ start: 0, length: 8, type: 'frobnicate', params: 'a b  c' });
    expect(raw.target.type).toBe('frobnicate');
    expect(raw.target.text()).toBe('a b  c');
    expectRefused(() => parseTableRow({ start: 0, length: 8, type: 'zero', params: '' }, linear), 'not linear');
  });

  it('toString and JSON show the target', () => {
    expect(String(a)).toBe('linear 7:0 0');
    expect(JSON.parse(JSON.stringify(b))).toEqual({ type: 'linear', params: { device: '/dev/loop1', offset: 100 } });
  });
});

describe('the registry and text size', () => {
  it('lists every group-A type with its module; unknown types fall back as before', () => {
    const modules = Object.fromEntries(allTargetTypes().map((kind) => [kind.type, kind.module]));
    expect(modules).toMatchObject({
      linear: null,
      striped: null,
      error: null,
      zero: 'dm-zero',
      crypt: 'dm-crypt',
      'snapshot-origin': 'dm-snapshot',
      snapshot: 'dm-snapshot',
      'snapshot-merge': 'dm-snapshot',
      'thin-pool': 'dm-thin-pool',
      thin: 'dm-thin-pool',
      cache: 'dm-cache',
      writecache: 'dm-writecache',
    });
    expect(moduleForTarget('snapshot-merge')).toBe('dm-snapshot');
    expect(moduleForTarget('mirror')).toBe('dm-mirror');
    expect(moduleForTarget('unstriped')).toBe('dm-unstripe');
    expect(targetType('frobnicate')).toBeUndefined();
  });

  it('parsing is linear in the text: a 1 MB run of white space is quick', () => {
    const spaces = ' '.repeat(1 << 20);
    const started = performance.now();
    expect(linear.parse(`7:0${spaces}0`)).toEqual({ device: { major: 7, minor: 0 }, offset: 0 });
    expect(thinPool.parseStatus(`0${spaces}1/2${spaces}3/4`)).toMatchObject({ state: 'ok' });
    expect(() => linear.parse(`7:0${spaces}0${spaces}x`)).toThrow(/linear: params/);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
