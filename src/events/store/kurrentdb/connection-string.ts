/**
 * A first look at a KurrentDB connection string, when configuration is
 * loaded: what is wrong with it, in one sentence that never repeats the
 * string (it may hold a password). The client parses it fully on connect.
 *
 * Unknown option keys are refused here because the client would print a
 * warning quoting the whole string, password included.
 */
const SCHEMES = [
  'kurrentdb',
  'kurrentdb+discover',
  'kurrent',
  'kurrent+discover',
  'kdb',
  'kdb+discover',
  'esdb',
  'esdb+discover',
];

/** The options the client understands (matched without regard to case, as the client does). */
const OPTIONS = [
  'tls',
  'tlsVerifyCert',
  'tlsCAFile',
  'userCertFile',
  'userKeyFile',
  'connectionName',
  'nodePreference',
  'maxDiscoverAttempts',
  'discoveryInterval',
  'gossipTimeout',
  'defaultDeadline',
  'keepAliveInterval',
  'keepAliveTimeout',
  'dnsDiscover',
  'throwOnAppendFailure',
];
const KNOWN = new Set(OPTIONS.map((o) => o.toLowerCase()));

export function connectionStringProblem(text: string): string | undefined {
  const scheme = /^([a-z+]+):\/\/[^/?]+/i.exec(text)?.[1]?.toLowerCase();
  if (!scheme || !SCHEMES.includes(scheme)) {
    return `must be a KurrentDB connection string: kurrentdb://[user:password@]host[:port][,host[:port]...][?option=value&...] (or kurrentdb+discover://, esdb://)`;
  }
  const query = text.includes('?') ? text.slice(text.indexOf('?') + 1) : '';
  for (const pair of query ? query.split('&') : []) {
    const key = pair.split('=')[0] ?? '';
    // The key is not repeated either: in a mistyped string it may be part of a password.
    if (!KNOWN.has(key.toLowerCase())) return `has an option the client does not know; known: ${OPTIONS.join(', ')}`;
    // Without it the client answers a refused append with a wrong actual revision, and conflicts go unnoticed.
    if (key.toLowerCase() === 'throwonappendfailure' && pair.slice(key.length + 1).toLowerCase() !== 'true') {
      return 'sets throwOnAppendFailure to something other than true: the ledger relies on a refused append being reported as one; leave the option out';
    }
  }
  return undefined;
}

/** An option's value in the string (keys matched without regard to case, as the client does); undefined when absent. */
export function connectionOption(text: string, name: string): string | undefined {
  const query = text.includes('?') ? text.slice(text.indexOf('?') + 1) : '';
  const pair = query.split('&').find((p) => (p.split('=')[0] ?? '').toLowerCase() === name.toLowerCase());
  return pair === undefined ? undefined : pair.slice(pair.indexOf('=') + 1);
}
