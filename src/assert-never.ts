/** Makes a `switch` over a union exhaustive: a missed case fails to compile. */
export function assertNever(value: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(value)}`);
}
