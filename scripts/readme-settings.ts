// Rewrites the README's configuration table from the settings' declaration
// (src/server/settings.ts); test/server/settings-doc.test.ts checks that it is current.
import fs from 'node:fs';
import { settingsTable, withSettingsTable } from '../src/server/settings-doc.js';

const file = new URL('../README.md', import.meta.url);
fs.writeFileSync(file, withSettingsTable(fs.readFileSync(file, 'utf8'), settingsTable()));
process.stdout.write(`wrote the configuration table of ${file.pathname}\n`);
