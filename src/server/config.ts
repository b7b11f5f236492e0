import { didYouMean } from '../did-you-mean.js';
import { maxTokenLifetimeSeconds } from '../auth/token-verifier.js';
import { AUTO, ConfigError, type AutoKey } from './setting-parsers.js';
import { SETTING_NAMES, SETTINGS, whereOf, type Config, type SettingName } from './settings.js';

export { ConfigError } from './setting-parsers.js';
export type { Config } from './settings.js';

/** The settings given as flags, by name, as text (src/cli/args.ts). */
export type Raw = Partial<Record<SettingName, string>>;

/**
 * What `auto` means for each setting that accepts it. A rule may read the
 * settings declared above its own in SETTINGS (graphiql follows
 * introspection), which are parsed and settled first.
 */
const AUTOMATIC: { [K in AutoKey<typeof SETTINGS>]: (settled: Config, env: NodeJS.ProcessEnv) => Config[K] } = {
  introspection: (_, env) => env['NODE_ENV'] !== 'production',
  graphiql: (settled) => settled.introspection,
  authMaxTokenLifetimeSeconds: (settled) => maxTokenLifetimeSeconds(settled),
};

/** What no single setting can check: each rule answers the sentence that refuses the combination. */
const COMBINATIONS: ((config: Config) => string | undefined)[] = [
  // node:http refuses a headers timeout above the request timeout: said here, at start-up, in one sentence.
  (c) =>
    c.headersTimeoutMs > c.requestTimeoutMs
      ? `${whereOf('headersTimeoutMs')} must not exceed ${whereOf('requestTimeoutMs')}.`
      : undefined,
  (c) =>
    c.mongodbKeysUrl && !c.mongodbUrl ? `${whereOf('mongodbKeysUrl')} needs ${whereOf('mongodbUrl')}.` : undefined,
  (c) =>
    c.mongodbUrl && !c.masterKey
      ? `with ${whereOf('mongodbUrl')}, set ${whereOf('masterKey')}: every process must wrap keys with the same master key.`
      : undefined,
];

/**
 * Configuration from flags (first), environment variables, then defaults
 * (src/server/settings.ts). A bad value stops start-up with one clear
 * sentence (ConfigError), never a stack trace.
 */
export function loadConfig(flags: Raw, env: NodeJS.ProcessEnv = process.env): Config {
  refuseUnknownVariables(env);
  const settled: Record<string, unknown> = {};
  for (const name of SETTING_NAMES) {
    const setting = SETTINGS[name];
    const value: unknown = setting.parse(flags[name] ?? env[setting.env] ?? setting.default, whereOf(name));
    // Only the settings AUTOMATIC names can parse to AUTO (AutoKey), so the lookup finds a rule.
    const resolved = value === AUTO ? AUTOMATIC[name as AutoKey<typeof SETTINGS>](settled as Config, env) : value;
    if (resolved !== undefined) settled[name] = resolved;
  }
  const config = settled as Config;
  for (const rule of COMBINATIONS) {
    const problem = rule(config);
    if (problem) throw new ConfigError(problem);
  }
  return config;
}

/** Our own prefix: a variable with it that names no setting is a typo, not someone else's variable. */
const OWN_PREFIX = 'PRIVACY_LEDGER_';

function refuseUnknownVariables(env: NodeJS.ProcessEnv): void {
  const known: string[] = Object.values(SETTINGS).map((s) => s.env);
  for (const name of Object.keys(env)) {
    if (!name.startsWith(OWN_PREFIX) || known.includes(name)) continue;
    // PRIVACY_LEDGER_PORT means PORT: compare without the prefix too.
    const bare = name.slice(OWN_PREFIX.length);
    const hint = known.includes(bare) ? ` Did you mean ${bare}?` : didYouMean(name, known) || didYouMean(bare, known);
    throw new ConfigError(`unknown environment variable ${name}.${hint} Run "privacy-ledger help" for every setting.`);
  }
}
