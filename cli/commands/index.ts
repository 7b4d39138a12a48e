/**
 * Every tsdmsetup command, by name: dmsetup's command table (argument counts, repeatable), each
 * entry importing its command's module only when the command runs, so a process loads the code
 * of the one command it runs. test/unit/cli-commands.test.ts holds each entry to its module.
 */
import type { CliContext, CommandSpec } from '../context.js';
import { udevCommands } from '../fast-path.js';

/** A command module's spec, imported on first use. */
type Load = () => Promise<CommandSpec>;

/**
 * The entry of a command whose module is imported on first run; `load` is kept (as `load`) for
 * the test that compares the table with the modules.
 */
export interface LazyCommandSpec extends CommandSpec {
  load: Load;
}

function lazy(name: string, minArgs: number, maxArgs: number, repeatable: 0 | 1 | 2, load: Load): LazyCommandSpec {
  let loaded: Promise<CommandSpec> | undefined;
  return {
    name,
    minArgs,
    maxArgs,
    ...(repeatable ? { repeatable } : {}),
    load,
    async run(context: CliContext) {
      loaded ??= load();
      await (await loaded).run(context);
    },
  };
}

const ANY = -1;

/** dmsetup's table order (its `help` lists them so). */
export const lazyCommands: readonly LazyCommandSpec[] = [
  lazy('help', 0, 0, 0, async () => (await import('./help.js')).helpCommand),
  lazy('create', 0, 2, 0, async () => (await import('./create.js')).createCommand),
  lazy('remove', 0, ANY, 2, async () => (await import('./remove.js')).removeCommand),
  lazy('remove_all', 0, 0, 0, async () => (await import('./remove.js')).removeAllCommand),
  lazy('suspend', 0, ANY, 2, async () => (await import('./suspend-resume.js')).suspendCommand),
  lazy('resume', 0, ANY, 2, async () => (await import('./suspend-resume.js')).resumeCommand),
  lazy('load', 0, 2, 0, async () => (await import('./load.js')).loadCommandSpec),
  lazy('clear', 0, ANY, 2, async () => (await import('./suspend-resume.js')).clearCommand),
  lazy('reload', 0, 2, 0, async () => (await import('./load.js')).reloadCommandSpec),
  lazy('wipe_table', 0, ANY, 2, async () => (await import('./remove.js')).wipeTableCommand),
  lazy('rename', 1, 2, 0, async () => (await import('./rename.js')).renameCommand),
  lazy('message', 2, ANY, 0, async () => (await import('./message.js')).messageCommand),
  lazy('ls', 0, 0, 0, async () => (await import('./ls.js')).lsCommand),
  lazy('info', 0, ANY, 1, async () => (await import('./info.js')).infoCommand),
  lazy('deps', 0, ANY, 2, async () => (await import('./deps.js')).depsCommand),
  lazy('status', 0, ANY, 2, async () => (await import('./table-status.js')).statusCommand),
  lazy('table', 0, ANY, 2, async () => (await import('./table-status.js')).tableCommand),
  lazy('wait', 0, 2, 0, async () => (await import('./wait.js')).waitCommand),
  lazy('target-version', 1, ANY, 1, async () => (await import('./targets.js')).targetVersionCommand),
  lazy('targets', 0, 0, 0, async () => (await import('./targets.js')).targetsCommand),
  lazy('version', 0, 0, 0, async () => (await import('./version.js')).versionCommand),
  lazy('setgeometry', 5, 5, 0, async () => (await import('./setgeometry.js')).setGeometryCommand),
  lazy('mknodes', 0, ANY, 0, async () => (await import('./mknodes.js')).mknodesCommand),
  lazy('mangle', 0, ANY, 1, async () => (await import('./mangle.js')).mangleCommand),
  lazy('measure', 0, ANY, 2, async () => (await import('./table-status.js')).measureCommand),
  lazy('stats', 1, ANY, 0, async () => (await import('./stats.js')).statsCommand),
  lazy('splitname', 1, 2, 0, async () => (await import('./splitname.js')).splitnameCommand),
  lazy('udevcomplete_all', 0, 1, 0, async () => (await import('./udevcomplete-all.js')).udevcompleteAllCommand),
];

// The udev commands are loaded already: the quick path (fast-path.ts) runs them.
const all: CommandSpec[] = [...lazyCommands.slice(0, -1), ...udevCommands, lazyCommands[lazyCommands.length - 1]!];

export const commands: ReadonlyMap<string, CommandSpec> = new Map(all.map((spec) => [spec.name, spec]));
