/**
 * The CLI's command table (cli/commands/index.ts) against the command modules it imports lazily:
 * each entry's name, argument counts and repeatable flag are its module's, so main's usage checks
 * (made before the module is imported) are the command's own.
 */
import { describe, expect, it } from 'vitest';
import { commands, lazyCommands } from '../../cli/commands/index.js';

describe('the lazy command table', () => {
  it('matches every command module it loads', async () => {
    for (const entry of lazyCommands) {
      const spec = await entry.load();
      expect({ name: entry.name, minArgs: entry.minArgs, maxArgs: entry.maxArgs, repeatable: entry.repeatable ?? 0 }).toEqual({
        name: spec.name,
        minArgs: spec.minArgs,
        maxArgs: spec.maxArgs,
        repeatable: spec.repeatable ?? 0,
      });
    }
  });

  it('has every dmsetup command once, the udev ones included', () => {
    const names = [...commands.keys()];
    expect(new Set(names).size).toBe(names.length);
    for (const name of ['create', 'remove', 'ls', 'info', 'splitname', 'udevflags', 'udevcomplete', 'udevcomplete_all', 'udevcookies']) {
      expect(names).toContain(name);
    }
  });
});
