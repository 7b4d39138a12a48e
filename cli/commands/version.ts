/** `version`: the library and driver versions, in dmsetup's format. */
import type { CommandSpec } from '../context.js';
import { LIBRARY_VERSION_STRING } from '../version.js';

export const versionCommand: CommandSpec = {
  name: 'version',
  minArgs: 0,
  maxArgs: 0,
  run(context) {
    if (context.options.json) {
      const driver = context.dm().driverVersion();
      context.print(JSON.stringify({ library: LIBRARY_VERSION_STRING, driver: driver.join('.') }));
      return;
    }
    // dmsetup prints the library line before it talks to the kernel, so it appears even without a driver.
    context.print(`Library version:   ${LIBRARY_VERSION_STRING}`);
    context.print(`Driver version:    ${context.dm().driverVersion().join('.')}`);
  },
};
