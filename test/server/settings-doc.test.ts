import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { settingsHelp, settingsTable, withSettingsTable } from '../../src/server/settings-doc.js';
import { flagOf, SETTING_NAMES, SETTINGS } from '../../src/server/settings.js';

const readme = fs.readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('the settings, declared once', () => {
  it("the README's configuration table is the one the declarations generate (npm run readme:settings rewrites it)", () => {
    // On failure the diff shows the expected table: run `npm run readme:settings` after changing a setting.
    expect(readme).toBe(withSettingsTable(readme, settingsTable()));
  });

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
