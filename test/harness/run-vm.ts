/**
 * `npm run vm -- [options] <command...>`: runs a command as root in the user-mode-linux guest and
 * exits with its status. See vm.ts for what the guest is and VM_USAGE for the options.
 */
import { parseVmArguments, runInVm, VM_USAGE } from './vm.js';

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--help' || argv[0] === '-h') {
    process.stdout.write(VM_USAGE);
    return 0;
  }
  let parsed;
  try {
    parsed = parseVmArguments(argv);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${VM_USAGE}`);
    return 2;
  }
  if (parsed.command.length === 0) {
    process.stderr.write(`run-vm: no command given\n\n${VM_USAGE}`);
    return 2;
  }
  try {
    const result = await runInVm(parsed.command, parsed.options);
    return result.status;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 2;
  }
}

process.exitCode = await main();
