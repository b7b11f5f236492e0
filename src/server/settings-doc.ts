import { flagOf, SETTING_NAMES, SETTINGS, type SettingName } from './settings.js';

/** The default as the README shows it (markdown). */
function shownDefault(name: SettingName): string {
  const setting: { default: string; shownDefault?: string } = SETTINGS[name];
  return setting.shownDefault ?? (setting.default ? `\`${setting.default}\`` : 'none');
}

/** The README's configuration table, generated from SETTINGS (test/doc-tables.test.ts checks the README holds exactly this). */
export function settingsTable(): string {
  const rows = SETTING_NAMES.map(
    (name) => `| \`${flagOf(name)}\` | \`${SETTINGS[name].env}\` | ${shownDefault(name)} | ${SETTINGS[name].help} |`,
  );
  return ['| flag | environment | default | meaning |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

/** Markdown as a terminal shows it: no backticks, a link as its text (and its target when that says more). */
function plain(markdown: string): string {
  return markdown
    .replace(/\[([^\]]+)\]\(([^)]+)\)/g, (_, text: string, target: string) =>
      text.replaceAll('`', '') === target ? target : `${text} (${target})`,
    )
    .replaceAll('`', '');
}

function wrap(text: string, width: number, indent: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return line ? [...lines, indent + line] : lines;
}

/** The settings part of `privacy-ledger help`: flag, variable and default on one line, the meaning wrapped below. */
export function settingsHelp(): string {
  return SETTING_NAMES.flatMap((name) => [
    `  ${`${flagOf(name)} <value>`.padEnd(38)} ${SETTINGS[name].env.padEnd(32)} default: ${plain(shownDefault(name))}`,
    ...wrap(plain(SETTINGS[name].help), 90, '      '),
  ]).join('\n');
}
