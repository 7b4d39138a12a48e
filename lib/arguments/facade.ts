/**
 * The argument checks of DeviceMapper's methods, one table for the whole facade, applied once to
 * its prototype (`checkArgumentsOf`): every method checks the types of its arguments before it
 * does anything, and a refused one throws (an Async method rejects) DmError 'invalid-argument'
 * naming the method and the argument. Device handles, the tree and the transaction delegate to
 * these methods and so are checked too. The option schemas mirror lib/options.ts.
 */
import { invalidArgument } from '../errors.js';
import * as c from './checks.js';

const retry = c.either(c.boolean, c.fields({ attempts: c.whole(1, 1e6), delayMs: c.milliseconds, backoff: c.milliseconds, onRetry: c.func }), 'true, false or retry options');
const readAhead = c.either(
  c.oneOf('auto', 'none'),
  c.either(c.whole(0, 0xffffffff), c.fields({ atLeast: c.whole(0, 0xffffffff) }), 'a sector count or { atLeast }'),
  "'auto', 'none', a sector count or { atLeast }",
);
const uuidText = c.text;

const QUERY = { inactive: c.boolean, noFlush: c.boolean, signal: c.signal };
const SUSPEND = { noFlush: c.boolean, noLockfs: c.boolean, signal: c.signal };
const CREATE = { uuid: uuidText, dev: c.devNumber, readOnly: c.boolean, validate: c.boolean, udevTimeoutMs: c.milliseconds, signal: c.signal };
const LOAD = { readOnly: c.boolean, secure: c.boolean, validate: c.boolean, signal: c.signal };
const RESUME = { ...SUSPEND, udevTimeoutMs: c.milliseconds, readAhead };
const REMOVE = { deferred: c.boolean, retry, udevTimeoutMs: c.milliseconds, signal: c.signal };

/** Options: undefined, or an object whose known fields have the right types. */
const opts = (schema: Record<string, c.Check>): c.Check => c.optional(c.fields(schema));
const eventNr = c.whole(0, 0xffffffff);
const geometry = c.fields({ cylinders: c.whole(0, Number.MAX_SAFE_INTEGER), heads: c.whole(0, Number.MAX_SAFE_INTEGER), sectors: c.whole(0, Number.MAX_SAFE_INTEGER), start: c.whole(0, Number.MAX_SAFE_INTEGER) });
const requiredGeometry: c.Check = (value, what) => {
  if (!c.isPlainObject(value)) c.fields({})(value, what);
  for (const key of ['cylinders', 'heads', 'sectors', 'start']) {
    if ((value as Record<string, unknown>)[key] === undefined) throw invalidArgument(`${what}: ${key} is missing`);
  }
  geometry(value, what);
};
const targetType: c.Check = (value, what) => {
  c.text(value, what);
  if (value === '') throw invalidArgument(`${what} is empty`);
};

/**
 * Each method's argument checks, in order (a method not listed takes no arguments). A device is
 * checked fully (c.device) by methods that use it before an ioctl validates it (rename, setUuid
 * and the event wait), else only its shape (the exchange loop validates what it sends).
 */
export const FACADE_ARGUMENTS: Readonly<Record<string, readonly c.Check[]>> = {
  nodePath: [c.name],
  list: [opts({ uuids: c.boolean, signal: c.signal })],
  listAsync: [opts({ uuids: c.boolean, signal: c.signal })],
  create: [c.text, opts(CREATE)],
  createAsync: [c.text, opts(CREATE)],
  load: [c.deviceShape, c.rows, opts(LOAD)],
  loadAsync: [c.deviceShape, c.rows, opts(LOAD)],
  clear: [c.deviceShape],
  suspend: [c.deviceShape, opts(SUSPEND)],
  suspendAsync: [c.deviceShape, opts(SUSPEND)],
  resume: [c.deviceShape, opts(RESUME)],
  resumeAsync: [c.deviceShape, opts(RESUME)],
  remove: [c.deviceShape, opts(REMOVE)],
  removeAsync: [c.deviceShape, opts(REMOVE)],
  cancelDeferredRemove: [c.deviceShape],
  removeAll: [opts({ deferred: c.boolean })],
  syncNodes: [c.optional(c.listOf(c.name))],
  rename: [c.device, c.text],
  renameAsync: [c.device, c.text, opts({ signal: c.signal })],
  setUuid: [c.device, c.text],
  info: [c.deviceShape, opts(QUERY)],
  infoAsync: [c.deviceShape, opts(QUERY)],
  tryInfo: [c.deviceShape],
  deps: [c.deviceShape, opts(QUERY)],
  depsAsync: [c.deviceShape, opts(QUERY)],
  status: [c.deviceShape, opts(QUERY)],
  parsedStatus: [c.deviceShape, opts(QUERY)],
  statusAsync: [c.deviceShape, opts(QUERY)],
  table: [c.deviceShape, opts({ ...QUERY, showKeys: c.boolean })],
  tableAsync: [c.deviceShape, opts({ ...QUERY, showKeys: c.boolean })],
  targetVersion: [targetType],
  message: [c.deviceShape, c.sector, c.text],
  messageAsync: [c.deviceShape, c.sector, c.text, opts({ signal: c.signal })],
  setGeometry: [c.deviceShape, requiredGeometry],
  setGeometryText: [c.deviceShape, c.text],
  waitEvent: [c.deviceShape, eventNr, opts(QUERY)],
  waitEventAsync: [c.device, eventNr, opts(QUERY)],
  events: [opts({ signal: c.signal })],
  createDevice: [c.text, c.rows, opts({ ...CREATE, ...LOAD, ...RESUME })],
  createDeviceAsync: [c.text, c.rows, opts({ ...CREATE, ...LOAD, ...RESUME })],
  device: [c.deviceShape],
  tree: [opts({ kernelNames: c.boolean, devices: c.listOf(c.devNumber), inactive: c.boolean, onError: c.func })],
  removeTree: [c.deviceShape, opts({ withHolders: c.boolean, deferred: c.boolean, retry })],
  ensureTargets: [c.listOf(targetType)],
};

/** Checks `args` of `method` against its table entry. */
export function checkArguments(method: string, args: readonly unknown[]): void {
  const checks = FACADE_ARGUMENTS[method] ?? [];
  for (let index = 0; index < checks.length; index++) {
    try {
      checks[index]!(args[index], '');
    } catch {
      // The label is built only for a refusal: this runs before every call of the facade.
      checks[index]!(args[index], `Argument ${index + 1} of ${method}()`);
    }
  }
}

/**
 * Wraps each listed method of `prototype` with its checks: a synchronous method throws, an
 * `…Async` one returns a rejected promise (as a closed handle's async calls do).
 */
export function checkArgumentsOf(prototype: object): void {
  const methods = prototype as Record<string, (...args: unknown[]) => unknown>;
  for (const method of Object.keys(FACADE_ARGUMENTS)) {
    const original = methods[method];
    if (typeof original !== 'function') throw new Error(`checkArgumentsOf: no method ${method}`);
    const isAsync = method.endsWith('Async');
    Object.defineProperty(prototype, method, {
      configurable: true,
      writable: true,
      value: {
        [method](this: unknown, ...args: unknown[]): unknown {
          try {
            checkArguments(method, args);
          } catch (error) {
            if (isAsync) return Promise.reject(error);
            throw error;
          }
          return original.apply(this, args);
        },
      }[method],
    });
  }
}

const absolutePath: c.Check = (value, what) => {
  c.text(value, what);
  if (!(value as string).startsWith('/')) throw invalidArgument(`${what} must be an absolute path, not ${c.shown(value)}`);
};
const transport = c.fields({ send: c.func, sendAsync: c.func, close: c.func });
const requiredTransport: c.Check = (value, what) => {
  transport(value, what);
  for (const key of ['send', 'sendAsync', 'close']) {
    if ((value as Record<string, unknown>)[key] === undefined) throw invalidArgument(`${what}: ${key} is missing`);
  }
};

/** DeviceMapper.open's options (lib/options.ts DeviceMapperOptions). */
export const checkOpenOptions: c.Check = opts({
  devDir: absolutePath,
  modprobe: c.either(c.oneOf(false), c.text, 'a path or false'),
  maxBufferSize: c.whole(1, Number.MAX_SAFE_INTEGER),
  transport: requiredTransport,
  nodes: c.oneOf('auto', true, false),
  udevSync: c.oneOf('cookie', 'monitor', 'off'),
  udevTimeoutMs: c.milliseconds,
  verifyUdev: c.boolean,
  noUdevRules: c.boolean,
  udevCookie: c.whole(0, 0xffffffff),
  onWarning: c.func,
  nodeOwnership: c.fields({ uid: c.whole(0, 0xffffffff), gid: c.whole(0, 0xffffffff), mode: c.whole(0, 0o7777) }),
  addNodeOn: c.oneOf('resume', 'create'),
  kernelLog: c.boolean,
  ensureTargets: c.boolean,
});
