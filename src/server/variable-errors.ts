/**
 * graphql-js reports a variable it cannot coerce with the value itself
 * ("Variable "$input" got invalid value { name: "Li Lei", … } at
 * "input.contact"; Field "nickname" is not defined…"), and often again in
 * the reason ("Int cannot represent non-integer value: …"). Variables carry
 * personal data, so the message goes back without any value: the variable,
 * the path inside it and the rule stay.
 */
const INVALID_VARIABLE = /^Variable "(\$[A-Za-z_]\w*)" got invalid value /;
/** ` at "input.contact"; ` as graphql-js writes it: a quote inside a value is escaped, so cannot fake this */
const PATH = / at "([A-Za-z_]\w*(?:\.[A-Za-z_]\w*|\[\d+\])*)"; /;

/** Reasons graphql-js gives, reduced to the parts that name schema elements only. */
const REASONS: ReadonlyArray<[RegExp, (m: RegExpMatchArray) => string]> = [
  [/^Field "(\w+)" is not defined by type "(\w+)"/, (m) => `field "${m[1]}" is not defined by type "${m[2]}"`],
  [/^Field "(\w+)" of required type "([\w![\]]+)" was not provided/, (m) => `field "${m[1]}" of required type "${m[2]}" was not provided`],
  [/^(\w+) cannot represent/, (m) => `${m[1]} cannot represent the value given`],
  [/^Expected type "(\w+)"/, (m) => `expected type "${m[1]}"`],
  [/^Expected value of type "([\w![\]]+)"/, (m) => `expected a value of type "${m[1]}"`],
];

/** The message without the variable's value; any other message is returned as it is. */
export function withoutVariableValues(message: string, reason: string | undefined): string {
  const variable = INVALID_VARIABLE.exec(message);
  if (!variable) return message;
  const path = PATH.exec(message.slice(variable[0].length));
  const known = REASONS.map(([pattern, say]) => {
    const match = reason === undefined ? null : pattern.exec(reason);
    return match && say(match);
  }).find(Boolean);
  return `Variable "${variable[1]}" got an invalid value${path ? ` at "${path[1]}"` : ''}: ${known ?? 'the value is not valid'}.`;
}
