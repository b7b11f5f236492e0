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

/** Reasons graphql-js gives, reduced to the parts that name schema elements only; `inner` names a field inside the path. */
const REASONS: ReadonlyArray<[RegExp, (m: RegExpMatchArray) => { rule: string; inner?: string }]> = [
  [
    /^Field "(\w+)" is not defined by type "(\w+)"/,
    (m) => ({ rule: `is not defined by type "${m[2]}"`, inner: m[1]! }),
  ],
  [
    /^Field "(\w+)" of required type "([\w![\]]+)" was not provided/,
    (m) => ({ rule: `of required type "${m[2]}" was not provided`, inner: m[1]! }),
  ],
  [/^(\w+) cannot represent/, (m) => ({ rule: `${m[1]} cannot represent the value given` })],
  [/^Expected type "(\w+)"/, (m) => ({ rule: `expected type "${m[1]}"` })],
  [/^Expected value of type "([\w![\]]+)"/, (m) => ({ rule: `expected a value of type "${m[1]}"` })],
];

/** Other messages about a variable: `Variable "$input" of required type "X!" was not provided.` */
const ABOUT_VARIABLE = /^Variable "\$([A-Za-z_]\w*)" (.*?)\.?$/;

/** What a client needs about a variable graphql-js refused: a message without its value, and the field and rule (as every BAD_USER_INPUT has). */
export interface VariableProblem {
  message: string;
  field: string;
  rule: string;
}

/** The problem, or undefined when the message is not about a variable. */
export function variableProblem(message: string, reason: string | undefined): VariableProblem | undefined {
  const variable = INVALID_VARIABLE.exec(message);
  if (!variable) {
    const other = ABOUT_VARIABLE.exec(message);
    return other ? { message, field: other[1]!, rule: other[2]! } : undefined;
  }
  const path = PATH.exec(message.slice(variable[0].length))?.[1];
  const known = REASONS.map(([pattern, say]) => {
    const match = reason === undefined ? null : pattern.exec(reason);
    return match && say(match);
  }).find(Boolean);
  const at = path ?? variable[1]!.slice(1);
  const said = known ? (known.inner ? `field "${known.inner}" ${known.rule}` : known.rule) : 'the value is not valid';
  return {
    message: `Variable "${variable[1]}" got an invalid value${path ? ` at "${path}"` : ''}: ${said}.`,
    field: known?.inner ? `${at}.${known.inner}` : at,
    rule: known?.rule ?? 'is not a valid value',
  };
}

/** The message without the variable's value; any other message is returned as it is. */
export function withoutVariableValues(message: string, reason: string | undefined): string {
  return variableProblem(message, reason)?.message ?? message;
}
