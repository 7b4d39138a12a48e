/**
 * `version`: the library and driver versions, in dmsetup's format. The library line comes first,
 * before the driver is asked, as in dmsetup.
 *
 * --json prints `{"library": string, "driver": "4.47.0"}`.
 */
import type { CommandSpec } from '../context.js';
import { libraryVersionString } from '../version.js';

export const versionCommand: CommandSpec = {
  name: 'version',
  minArgs: 0,
  maxArgs: 0,
  run(context) {
    if (context.options.json) {
      const driver = context.dm().driverVersion();
      context.jsonSet('library', libraryVersionString());
      context.jsonSet('driver', driver.join('.'));
      return;
    }
    context.print(`Library version:   ${libraryVersionString()}`);
    context.print(`Driver version:    ${context.dm().driverVersion().join('.')}`);
  },
};
