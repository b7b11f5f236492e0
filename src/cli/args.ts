import { parseArgs } from 'node:util';
import type { Raw } from '../server/config.js';
import { flagOf, SETTING_NAMES, type SettingName } from '../server/settings.js';
import { didYouMean } from '../did-you-mean.js';

/** A failure the user can act on: printed as one sentence, no stack. */
export class UsageError extends Error {}

/** Each command's own options (all take a value unless listed in `switches`) and how many positionals it takes. */
const COMMANDS = {
  serve: {},
  project: {},
  seed: {},
  rebuild: { switches: ['online'], positionals: 1 },
  status: {},
  export: { options: ['publisher', 'format', 'from', 'to', 'out'] },
  replay: { options: ['publisher'] },
  verify: {},
  token: { options: ['role', 'oid', 'ttl', 'upn', 'name'] },
  'rotate-master-key': { options: ['new-master-key'] },
  retention: {},
  'upgrade-log': {},
  doctor: { switches: ['conformance'] },
  help: {},
} as const satisfies Record<
  string,
  { options?: readonly string[]; switches?: readonly string[]; positionals?: number }
>;

export type Command = keyof typeof COMMANDS;
export const COMMAND_NAMES = Object.keys(COMMANDS) as Command[];

export interface CommandLine {
  command: Command;
  /** the configuration settings given as flags (src/server/config.ts) */
  settings: Raw;
  /** the command's own options, by flag (`--publisher`), and its switches (`--online`) as 'true' */
  options: Map<string, string>;
  positionals: string[];
}

type Spec = { options?: readonly string[]; switches?: readonly string[]; positionals?: number };
const settingByName = new Map<string, SettingName>(SETTING_NAMES.map((name) => [flagOf(name).slice(2), name]));

/**
 * The one parser of every command line (node:util parseArgs): the command,
 * then the configuration flags and the command's own options in any order,
 * `--name value` or `--name=value`. An option the command does not take is
 * refused with the closest one it does take, so `serve --prot 4151` does not
 * start on the default port.
 */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  const everyValued = new Set([
    ...settingByName.keys(),
    ...Object.values(COMMANDS).flatMap((c: Spec) => c.options ?? []),
  ]);
  const { tokens } = parseArgs({
    args: [...argv],
    options: {
      ...Object.fromEntries([...everyValued].map((name) => [name, { type: 'string' as const }])),
      online: { type: 'boolean' },
      conformance: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const positionals = tokens.filter((t) => t.kind === 'positional').map((t) => t.value);
  const named = positionals.shift() ?? 'help';
  if (tokens.some((t) => t.kind === 'option' && t.name === 'help'))
    return { command: 'help', settings: {}, options: new Map(), positionals: [] };
  if (!(named in COMMANDS))
    throw new UsageError(
      `unknown command "${named}".${didYouMean(named, COMMAND_NAMES)} Run "privacy-ledger help" for the list.`,
    );
  const command = named as Command;
  const spec: Spec = COMMANDS[command];
  const own = [...(spec.options ?? []), ...(spec.switches ?? [])];
  const settings: CommandLine['settings'] = {};
  const options = new Map<string, string>();
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const flag = token.rawName.startsWith('--') ? `--${token.name}` : token.rawName;
    const setting = settingByName.get(token.name);
    if (!setting && !own.includes(token.name)) {
      const takes = [...own.map((name) => `--${name}`), ...[...settingByName.keys()].map((name) => `--${name}`)];
      throw new UsageError(
        `unknown option ${flag} for ${command}.${didYouMean(flag, takes)} Run "privacy-ledger help" for every option.`,
      );
    }
    if ((spec.switches as readonly string[] | undefined)?.includes(token.name)) {
      if (token.value !== undefined) throw new UsageError(`${flag} takes no value.`);
      options.set(flag, 'true');
      continue;
    }
    // Without strict parsing the next argument is taken as the value even when it is an option: `--port --data-dir x`.
    if (token.value === undefined || (!token.inlineValue && token.value.startsWith('--')))
      throw new UsageError(`${flag} needs a value.`);
    if (setting) settings[setting] = token.value;
    else options.set(flag, token.value);
  }
  if (positionals.length > (spec.positionals ?? 0)) {
    throw new UsageError(
      `unexpected argument "${positionals[spec.positionals ?? 0]}" for ${command}; run "privacy-ledger help".`,
    );
  }
  return { command, settings, options, positionals };
}
