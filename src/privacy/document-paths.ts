import { isPersonalValue, type PersonalValue } from './personal-value.js';

/** A personal value inside a document: where it is, and whose it is. */
export interface SealField {
  /** dotted path, e.g. 'contact.email' (numeric segments index arrays) */
  path: string;
  subjectId: string;
}

/*
 * The paths of personal values inside a document (event data, metadata, a
 * read model's document): copying a document while noting where its sealed
 * values are, setting own properties safely, and splitting and checking the
 * declared dotted paths. The codec (./personal-data-codec.ts) works on them.
 */

/** Where an opened value goes: a property of a copied object or array. */
export interface Slot {
  parent: Record<string, unknown> | unknown[];
  key: string | number;
  sealed: PersonalValue;
}

/**
 * Copies plain objects and arrays. With `slots`, a PersonalValue is not
 * copied but recorded as a slot to fill in (the batch array itself is the
 * root, so even a top-level PersonalValue has a parent).
 */
export function deepCopy<T>(value: T, slots: Slot[] | undefined): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (slots && isPersonalValue(item)) {
        out[i] = undefined;
        slots.push({ parent: out, key: i, sealed: item });
      } else {
        out[i] = deepCopy(item, slots);
      }
    }
    return out as T;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const item = (value as Record<string, unknown>)[key];
    if (slots && isPersonalValue(item)) {
      setOwn(out, key, undefined);
      slots.push({ parent: out, key, sealed: item });
    } else {
      setOwn(out, key, deepCopy(item, slots));
    }
  }
  return out as T;
}

/** Sets an own property, even one named '__proto__' (as JSON.parse can make). */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

/** The fields without repeats; two subjects for one path, or nested paths, are mistakes. */
export function distinctFields(fields: ReadonlyArray<SealField>): ReadonlyArray<SealField> {
  if (fields.length < 2 || allDistinct(fields)) return fields;
  const byPath = new Map<string, SealField>();
  for (const field of fields) {
    const seen = byPath.get(field.path);
    if (seen && seen.subjectId !== field.subjectId) {
      throw new Error(`The personal data path '${field.path}' is listed for two subjects.`);
    }
    byPath.set(field.path, field);
  }
  const paths = [...byPath.keys()];
  for (const path of paths) {
    const prefix = `${path}.`;
    if (paths.some((other) => other.startsWith(prefix))) {
      throw new Error(`The personal data path '${path}' contains another listed path.`);
    }
  }
  return [...byPath.values()];
}

/**
 * Whether no path is listed twice and none contains another: what a
 * document's declared fields always are (a durable mutation seals two such
 * lists, data and metadata, each time). Checked pair by pair without
 * allocating (a few paths each); a repeat or a nested path is left to
 * distinctFields' own check, which says what is wrong.
 */
function allDistinct(fields: ReadonlyArray<SealField>): boolean {
  for (let i = 0; i < fields.length; i++) {
    const path = fields[i]!.path;
    for (let j = 0; j < fields.length; j++) {
      const other = fields[j]!.path;
      if (i === j || other.length < path.length) continue;
      if (other === path || (other.charCodeAt(path.length) === 46 /* . */ && other.startsWith(path))) return false;
    }
  }
  return true;
}

export function ownValue(parent: unknown, key: string): unknown {
  if (typeof parent !== 'object' || parent === null) return undefined;
  return Object.hasOwn(parent, key) ? (parent as Record<string, unknown>)[key] : undefined;
}

/** Paths split before, by path: a document's paths are its declared ones (with array indexes), few, and met on every write. */
const splitPaths = new Map<string, { parents: readonly string[]; last: string }>();
/** more distinct paths than this and the memory starts again (a shortcut, not a registry) */
const MAX_SPLIT_PATHS = 1_000;

/**
 * A dotted path split and checked, once per path: every durable mutation
 * seals its data and metadata, each at every declared path (seven for a
 * contact change), and split them all again.
 */
export function segmentsOf(path: string): { parents: readonly string[]; last: string } {
  const known = splitPaths.get(path);
  if (known) return known;
  const segments = path.split('.');
  const last = segments.pop();
  if (last === undefined || segments.some(isUnsafeSegment) || isUnsafeSegment(last)) {
    throw new Error(`The personal data path '${path}' is not a valid dotted path.`);
  }
  const split = Object.freeze({ parents: Object.freeze(segments), last });
  if (splitPaths.size >= MAX_SPLIT_PATHS) splitPaths.clear();
  splitPaths.set(path, split);
  return split;
}

function isUnsafeSegment(segment: string): boolean {
  return segment === '' || segment === '__proto__' || segment === 'constructor' || segment === 'prototype';
}
