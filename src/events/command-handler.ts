import { ConcurrencyError } from '../errors.js';
import { fold, type Decider, type DomainEvent } from './decider.js';
import type { CommandContext, EventCodec } from './event-codec.js';
import type { RecordedEvent } from './event-envelope.js';
import type { EventStore } from './event-store.js';

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
        const retry =
          error instanceof ConcurrencyError &&
          options.expectedVersion === undefined &&
          attempt < MAX_ATTEMPTS;
        if (!retry) throw error;
      }
    }
  }

  private async attempt<Command, Event extends DomainEvent, State>(
    decider: Decider<Command, Event, State>,
    streamId: string,
    command: Command,
    { expectedVersion, context }: HandleOptions,
  ): Promise<CommandResult<State>> {
    const recorded = await this.store.readStream(streamId);
    const state = fold(decider, await this.codec.decode<Event>(recorded));
    const version = recorded.length;
    const last = recorded.at(-1);
    if (expectedVersion !== undefined && expectedVersion !== version) {
      throw new ConcurrencyError(streamId, `version ${expectedVersion}`, `version ${version}`);
    }
    const events = decider.decide(command, state);
    if (events.length === 0) {
      return { state, version, position: last?.position ?? 0, appended: [] };
    }
    const result = await this.store.append(streamId, await this.codec.encode(events, context), {
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
