/** `help [-c|-C|--columns]`: the usage (stderr), and with -c the report fields too. */
import type { CommandSpec } from '../context.js';
import { fieldHelpLines } from '../report/fields.js';
import { usageText } from '../usage.js';

export const helpCommand: CommandSpec = {
  name: 'help',
  minArgs: 0,
  maxArgs: 0,
  run(context) {
    context.stderr.write(usageText(context.program));
    if (!context.columns) return;
    for (const line of fieldHelpLines()) context.error(line);
    context.error(' ');
  },
};
