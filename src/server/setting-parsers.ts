import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectionStringProblem } from '../events/store/kurrentdb/connection-string.js';

/** A bad setting: stops start-up with one sentence that names it (flag / variable), never a stack trace. */
export class ConfigError extends Error {}

/** What a parser returns for `auto`: the value then follows from other settings (src/server/config.ts). */
export const AUTO: unique symbol = Symbol('auto');

/** One setting, declared once: its variable, default, meaning, and how its text becomes its value. */
export interface Setting<T> {
  env: string;
  /** the text parsed when neither the flag nor the variable is given */
  default: string;
  /** how the README and --help show the default when it is not that text (markdown) */
  shownDefault?: string;
  /** what it does (markdown): the README's configuration table and --help */
  help: string;
  /** `where` is `--flag / VARIABLE`, for the error; values that could be secrets are never echoed */
  parse(text: string, where: string): T;
}

type Parsed<S> = { [K in keyof S]: S[K] extends Setting<infer T> ? Exclude<T, typeof AUTO> : never };
type OptionalKey<P> = { [K in keyof P]: undefined extends P[K] ? K : never }[keyof P];

/** The configuration a table of settings yields: a setting whose parser may answer `undefined` is optional (absent). */
export type ConfigOf<S> = {
  [K in keyof Parsed<S> as K extends OptionalKey<Parsed<S>> ? never : K]: Parsed<S>[K];
} & { [K in keyof Parsed<S> as K extends OptionalKey<Parsed<S>> ? K : never]?: Exclude<Parsed<S>[K], undefined> };

/** The names of the settings whose parser may answer AUTO. */
export type AutoKey<S> = {
  [K in keyof S]: S[K] extends Setting<infer T> ? (typeof AUTO extends T ? K : never) : never;
}[keyof S];

// The parsers. Each trims its text and names the setting in its error.

export const text = (value: string): string => value.trim();

export function nonEmpty(value: string, where: string): string {
  const trimmed = value.trim();
  if (!trimmed) throw new ConfigError(`${where} must not be empty.`);
  return trimmed;
}

export const integer =
  (min: number, max: number) =>
  (value: string, where: string): number => {
    const trimmed = value.trim();
    const number = Number(trimmed);
    if (!/^\d+$/.test(trimmed) || number < min || number > max) {
      throw new ConfigError(`${where} must be a whole number from ${min} to ${max}, got "${trimmed}".`);
    }
    return number;
  };

export const integerOrAuto =
  (min: number, max: number) =>
  (value: string, where: string): number | typeof AUTO =>
    value.trim().toLowerCase() === 'auto' ? AUTO : integer(min, max)(value, where);

export function boolean(value: string, where: string): boolean {
  const lower = value.trim().toLowerCase();
  if (lower !== 'true' && lower !== 'false') throw new ConfigError(`${where} must be true or false.`);
  return lower === 'true';
}

export function booleanOrAuto(value: string, where: string): boolean | typeof AUTO {
  const lower = value.trim().toLowerCase();
  if (lower === 'auto') return AUTO;
  if (lower !== 'true' && lower !== 'false') throw new ConfigError(`${where} must be true, false or auto.`);
  return lower === 'true';
}

export const oneOf =
  <T extends string>(choices: readonly T[]) =>
  (value: string, where: string): T => {
    const lower = value.trim().toLowerCase();
    if (!(choices as readonly string[]).includes(lower))
      throw new ConfigError(`${where} must be one of ${choices.join(', ')}, got "${lower}".`);
    return lower as T;
  };

/** The parser of a setting that may be left empty: empty is absent, anything else must pass `check`. */
export const optional =
  <T>(check: (value: string, where: string) => T) =>
  (value: string, where: string): T | undefined =>
    value.trim() ? check(value.trim(), where) : undefined;

/**
 * The checkout's root (the nearest folder above this file with a
 * package.json): the default data directory is `data` there, so that every
 * command finds the same ledger from any folder of the checkout.
 */
function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

export const DEFAULT_DATA_DIR = path.join(packageRoot(), 'data');

/** A relative path is taken from the current folder (the default is absolute). */
export const dataDirectory = (value: string, where: string): string => path.resolve(nonEmpty(value, where));

export function masterKey(value: string, where: string): string {
  if (Buffer.from(value, 'base64').length !== 32) {
    throw new ConfigError(`${where} must be the base64 encoding of exactly 32 bytes (e.g. openssl rand -base64 32).`);
  }
  return value;
}

// The connection strings may hold credentials: they are never echoed.

export function kurrentdbUrl(value: string, where: string): string {
  const problem = connectionStringProblem(value);
  if (problem) throw new ConfigError(`${where} ${problem}.`);
  return value;
}

export function mongodbUrl(value: string, where: string): string {
  if (!/^mongodb(\+srv)?:\/\/[^\s]+$/.test(value))
    throw new ConfigError(`${where} must be a mongodb:// or mongodb+srv:// connection string.`);
  return value;
}

export function databaseName(value: string, where: string): string {
  const trimmed = value.trim();
  if (!/^[A-Za-z0-9_-]{1,63}$/.test(trimmed))
    throw new ConfigError(`${where} must be 1 to 63 letters, digits, _ or -.`);
  return trimmed;
}

export function keySetUrl(value: string, where: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  const local = url?.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url?.protocol !== 'https:' && !local)
    throw new ConfigError(`${where} must be an https URL (http only for localhost).`);
  return value;
}

/** `https://a.example, http://localhost:3000` as exact origins; a path, a wildcard or junk is refused. */
export function origins(value: string, where: string): string[] {
  const listed = value
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const origin of listed) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || parsed.origin !== origin.replace(/\/$/, '')) {
      throw new ConfigError(`${where} must list origins like https://portal.example.com, got "${origin}".`);
    }
  }
  return listed.map((o) => o.replace(/\/$/, ''));
}
