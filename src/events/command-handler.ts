import { ConcurrencyError, ValidationError } from '../errors.js';
import { fold, type Decider, type DomainEvent } from './decider.js';
import type { CommandContext, EventCodec } from './event-codec.js';
import type { RecordedEvent } from './event-envelope.js';
import type { EventStore } from './event-store.js';
import type { IdempotencyMark } from './idempotency.js';

export interface CommandResult<State> {
  state: State;
  /** number of events in the stream: the version a client edits next */
  version: number;
  /** log position of the stream's last event: what read-your-writes waits for */
  position: number;
  /** what this command appended (empty when it changed nothing) */
  appended: RecordedEvent[];
}

export interface HandleOptions {
  /** the version the client edited; a different current version is CONFLICT */
  expectedVersion?: number;
  context: CommandContext;
  /** a retry carrying the same mark returns the first result and appends nothing */
  idempotency?: IdempotencyMark;
}

/** Retries when no version was given and another writer raced us between read and append. */
const MAX_ATTEMPTS = 3;

/**
 * The generic command handler: read the stream, fold `evolve`, `decide`,
 * append with the revision read. A client's stale version, or a concurrent
 * append, is a ConcurrencyError (CONFLICT), never a lost update.
 */
export class CommandHandler {
  constructor(
    private readonly store: EventStore,
    private readonly codec: EventCodec,
  ) {}

  /** The current state of a stream, folded from the log (authoritative, unlike a read model). */
  async load<Event extends DomainEvent, State>(
    decider: Pick<Decider<unknown, Event, State>, 'evolve' | 'initialState'>,
    streamId: string,
  ): Promise<{ state: State; version: number }> {
    const recorded = await this.store.readStream(streamId);
    return { state: fold(decider, await this.codec.decode<Event>(recorded)), version: recorded.length };
  }

  async handle<Command, Event extends DomainEvent, State>(
    decider: Decider<Command, Event, State>,
    streamId: string,
    command: Command,
    options: HandleOptions,
  ): Promise<CommandResult<State>> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt(decider, streamId, command, options);
      } catch (error) {
        // A racing writer: decide again on the new state (or, for an idempotent
        // retry racing its own first attempt, find that attempt's mark).
        const retry =
          error instanceof ConcurrencyError &&
          (options.expectedVersion === undefined || options.idempotency !== undefined) &&
          attempt < MAX_ATTEMPTS;
        if (!retry) throw error;
      }
    }
  }

  private async attempt<Command, Event extends DomainEvent, State>(
    decider: Decider<Command, Event, State>,
    streamId: string,
    command: Command,
    { expectedVersion, context, idempotency }: HandleOptions,
  ): Promise<CommandResult<State>> {
    const recorded = await this.store.readStream(streamId);
    const history = await this.codec.decode<Event>(recorded);
    if (idempotency) {
      const first = firstResult(recorded, idempotency);
      if (first) {
        return { state: fold(decider, history.slice(0, first.revision + 1)), version: first.revision + 1, position: first.position, appended: [] };
      }
    }
    const state = fold(decider, history);
    const version = recorded.length;
    const last = recorded.at(-1);
    if (expectedVersion !== undefined && expectedVersion !== version) {
      throw new ConcurrencyError(streamId, `version ${expectedVersion}`, `version ${version}`);
    }
    const events = decider.decide(command, state);
    if (events.length === 0) {
      return { state, version, position: last?.position ?? 0, appended: [] };
    }
    const result = await this.store.append(streamId, await this.codec.encode(events, context, idempotency), {
      expectedRevision: last ? last.revision : 'no_stream',
    });
    return {
      state: fold(decider, events, state),
      version: result.nextExpectedRevision + 1,
      position: result.position,
      appended: result.events,
    };
  }
}

/** The last event the first attempt under this key appended, if any. */
function firstResult(recorded: readonly RecordedEvent[], mark: IdempotencyMark): RecordedEvent | undefined {
  const earlier = recorded.findLast((event) => (event.metadata['idempotency'] as IdempotencyMark | undefined)?.key === mark.key);
  if (earlier && (earlier.metadata['idempotency'] as IdempotencyMark).fingerprint !== mark.fingerprint) {
    throw new ValidationError('idempotencyKey', 'was already used with different input');
  }
  return earlier;
}
