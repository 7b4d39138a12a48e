#!/usr/bin/env node
/*
 * tsdmsetup's executable (the package's `bin`; scripts/bundle.mjs copies it to dist/cli/): runs
 * the bundled CLI beside it with V8's code cache, so that a command does not compile the bundle
 * again. Node 22.1+ has module.enableCompileCache for that; on Node 20 the cache is made with
 * vm.Script's cachedData: one file, beside the bundle (or under $XDG_CACHE_HOME/tsdmsetup when
 * that directory is not writable), keyed by the bundle's size and mtime and node's version,
 * written atomically (temp file + rename) by the first run that finds none, and ignored when
 * its key is stale or V8 rejects it.
 */
'use strict';
const Module = require('node:module');
const path = require('node:path');

const bundle = path.join(__dirname, 'tsdmsetup-bundle.cjs');

if (typeof Module.enableCompileCache === 'function') {
  Module.enableCompileCache();
  require(bundle);
} else {
  runWithCodeCache(bundle);
}

function runWithCodeCache(file) {
  const fs = require('node:fs');
  const vm = require('node:vm');
  const source = fs.readFileSync(file, 'utf8');
  const stat = fs.statSync(file);
  const key = Buffer.from(`tsdmsetup-v8cache ${process.version} ${process.arch} ${stat.size} ${stat.mtimeMs}\n`);
  const places = cachePlaces(file);
  let cachedData;
  for (const place of places) {
    try {
      const data = fs.readFileSync(place);
      if (data.subarray(0, key.length).equals(key)) {
        cachedData = data.subarray(key.length);
        break;
      }
    } catch {
      // none here: try the next place
    }
  }
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  const script = new vm.Script(wrapped, { filename: file, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) {
    // At exit the cache holds every function this run compiled, not just the top level.
    process.once('exit', () => writeCache(fs, places, key, script));
  }
  const bundleModule = { exports: {} };
  script.runInThisContext()(bundleModule.exports, Module.createRequire(file), bundleModule, file, path.dirname(file));
}

function cachePlaces(file) {
  const places = [path.join(path.dirname(file), 'tsdmsetup-bundle.v8cache')];
  const base = process.env.XDG_CACHE_HOME || (process.env.HOME ? path.join(process.env.HOME, '.cache') : undefined);
  if (base && path.isAbsolute(base)) places.push(path.join(base, 'tsdmsetup', 'tsdmsetup-bundle.v8cache'));
  return places;
}

function writeCache(fs, places, key, script) {
  let data;
  try {
    data = Buffer.concat([key, script.createCachedData()]);
  } catch {
    return;
  }
  for (const place of places) {
    const temp = `${place}.${process.pid}.tmp`;
    try {
      fs.mkdirSync(path.dirname(place), { recursive: true });
      fs.writeFileSync(temp, data, { mode: 0o644 });
      fs.renameSync(temp, place);
      return;
    } catch {
      try {
        fs.rmSync(temp, { force: true });
      } catch {
        // nothing to take back
      }
    }
  }
}
