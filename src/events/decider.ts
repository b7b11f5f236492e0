/**
 * An aggregate as a decider: two pure functions and a starting state.
 * `decide` refuses with a DomainError (thrown) or returns the events that
 * the command causes (an empty list when nothing would change); `evolve`
 * folds one event into the state. Neither reads a clock or generates ids:
 * the command carries whatever instant or id it needs.
 */
export interface DomainEvent<Type extends string = string, Data = unknown> {
  type: Type;
  data: Data;
}

export interface Decider<Command, Event extends DomainEvent, State> {
  initialState: State;
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  /**
   * What every change of an entity that no longer exists answers (a deleted
   * offer: NOT_FOUND, as one never created), checked before the version a
   * change expected; undefined while it exists.
   */
  gone?(state: State): Error | undefined;
}

export function fold<Event extends DomainEvent, State>(
  decider: Pick<Decider<unknown, Event, State>, 'evolve' | 'initialState'>,
  events: readonly Event[],
  from: State = decider.initialState,
): State {
  return events.reduce(decider.evolve, from);
}
