import { describe, expect, it } from 'vitest';
import { settingsHelp } from '../../src/server/settings-doc.js';
import { flagOf, SETTING_NAMES, SETTINGS } from '../../src/server/settings.js';

// The README's table is checked with the docs' other generated tables (test/doc-tables.test.ts).
describe('the settings, declared once', () => {
  it('help lists every setting with its flag, variable and default', () => {
    const help = settingsHelp();
    for (const name of SETTING_NAMES) {
      const line = help.split('\n').find((l) => l.trimStart().startsWith(`${flagOf(name)} <value>`));
      expect(line, flagOf(name)).toContain(SETTINGS[name].env);
      expect(line).toContain('default: ');
    }
    expect(help).toContain('--master-key <value>');
    expect(help).not.toContain('`');
  });

  it('each flag and variable names one setting', () => {
    const flags = SETTING_NAMES.map(flagOf);
    const variables = SETTING_NAMES.map((name) => SETTINGS[name].env);
    expect(new Set(flags).size).toBe(flags.length);
    expect(new Set(variables).size).toBe(variables.length);
    expect(flags).toContain('--read-your-writes-timeout-ms');
  });
});
