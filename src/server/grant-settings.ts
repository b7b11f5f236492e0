import { boolean, integer, type Setting } from './setting-parsers.js';

/**
 * How operators' access grants to publishers' personal values are bounded
 * (src/events/access-grant/; README, Access grants): the longest grant,
 * whether a second operator must approve one, the longest emergency access.
 */
export const GRANT_SETTINGS = {
  accessGrantMaxMinutes: {
    env: 'ACCESS_GRANT_MAX_MINUTES',
    default: '480',
    parse: integer(1, 30 * 1440),
    help: "the longest an operator's access grant to a publisher's personal values may last ([Access grants](#access-grants))",
  },
  accessGrantApproval: {
    env: 'ACCESS_GRANT_APPROVAL',
    default: 'false',
    parse: boolean,
    help: '`true`: an access grant is active only once a second operator (never its requester) approves it',
  },
  emergencyAccessMaxMinutes: {
    env: 'EMERGENCY_ACCESS_MAX_MINUTES',
    default: '60',
    parse: integer(1, 1440),
    help: 'the longest an emergency (break-glass) access may last; it needs no approval',
  },
} satisfies Record<string, Setting<unknown>>;
