import { ConcurrencyError } from '../errors.js';
import { StreamKeys } from '../privacy/keys/stream-keys.js';
import { AggregateCache, markOf, type CachedAggregate } from './aggregate-cache.js';
import { fold, type Decider, type DomainEvent } from './decider.js';
import type { CommandContext, EventCodec } from './store/event-codec.js';
import type { RecordedEvent } from './store/event-envelope.js';
import type { EventStore } from './store/event-store.js';
import { reusedKeyError, type IdempotencyMark } from './idempotency.js';

export interface CommandResult<State> {
  state: State;
  /** number of events in the stream: the version a client edits next */
  version: number;
  /** log position of the stream's last event: what read-your-writes waits for */
  position: number;
  /** what this command appended (empty when it changed nothing, or when it is an idempotent retry) */
  appended: RecordedEvent[];
  /** an idempotent retry: the first attempt's result, nothing appended now */
  replayed: boolean;
  /** the stream's data keys after the command (see StreamKeys) */
  keys: StreamKeys;
}

/** A command, or one built from the stream's data keys at the revision it is decided on (an erasure records the keys it destroys). */
export type CommandOf<Command> = Command | ((keys: StreamKeys) => Command);

export interface HandleOptions {
  /** the version the client edited; a different current version is CONFLICT */
  expectedVersion?: number;
  context: CommandContext;
  /** a retry carrying the same mark returns the first result and appends nothing */
  idempotency?: IdempotencyMark;
  /**
   * The decision does not depend on the stream's state (a record with
   * nothing to protect): decide without reading the stream and append after
   * whatever is there, so concurrent commands never conflict and none is
   * dropped. Not with expectedVersion or idempotency.
   */
  unconditional?: boolean;
}

/** Retries when no version was given and another writer raced us between read and append. */
const MAX_ATTEMPTS = 3;

type FoldOf<Event extends DomainEvent, State> = Pick<Decider<unknown, Event, State>, 'evolve' | 'initialState'>;

/**
 * The generic command handler: read the stream, fold `evolve`, `decide`,
 * append with the revision read. A client's stale version, or a concurrent
 * append, is a ConcurrencyError (CONFLICT), never a lost update. Folded
 * states are cached, so each command reads only the stream's new events;
 * an erasure's key destruction drops them (see AggregateCache).
 */
export class CommandHandler {
  constructor(
    private readonly store: EventStore,
    private readonly codec: EventCodec,
    private readonly cache = new AggregateCache(),
  ) {
    // its states hold values the codec opened: they go when a key they were opened under does
    codec.forgetting.register(cache);
  }

  /** The current state of a stream, folded from the log (authoritative, unlike a read model). */
  async load<Event extends DomainEvent, State>(
    decider: FoldOf<Event, State>,
    streamId: string,
  ): Promise<{ state: State; version: number }> {
    const current = await this.catchUp(decider, streamId);
    return { state: current.state, version: current.revision + 1 };
  }

  async handle<Command, Event extends DomainEvent, State>(
    decider: Decider<Command, Event, State>,
    streamId: string,
    command: NoInfer<CommandOf<Command>>,
    options: HandleOptions,
  ): Promise<CommandResult<State>> {
    if (options.unconditional) return this.appendUnconditionally(decider, streamId, command, options.context);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt(decider, streamId, command, options);
      } catch (error) {
        if (error instanceof ConcurrencyError) this.cache.forget(streamId);
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
    command: CommandOf<Command>,
    { expectedVersion, context, idempotency }: HandleOptions,
  ): Promise<CommandResult<State>> {
    const current = await this.catchUp(decider, streamId);
    if (idempotency) {
      const first = current.marks.get(idempotency.key);
      if (first && first.fingerprint !== idempotency.fingerprint) {
        throw reusedKeyError();
      }
      if (first) {
        const state = await this.stateAt(decider, streamId, first.revision, current);
        return {
          state,
          version: first.revision + 1,
          position: first.position,
          appended: [],
          replayed: true,
          keys: current.keys,
        };
      }
    }
    const version = current.revision + 1;
    if (expectedVersion !== undefined && expectedVersion !== version) {
      // an entity that is gone (a deleted offer) is NOT_FOUND whatever version was expected, as one never created
      const gone = decider.gone?.(current.state);
      if (gone) throw gone;
      throw new ConcurrencyError(streamId, `version ${expectedVersion}`, `version ${version}`);
    }
    const events = decider.decide(commandAt(command, current.keys), current.state);
    if (events.length === 0)
      return {
        state: current.state,
        version,
        position: current.position,
        appended: [],
        replayed: false,
        keys: current.keys,
      };
    // A key an erasure of this stream retired is never sealed under again (see StreamKeys).
    const result = await this.store.append(
      streamId,
      await this.codec.encode(events, context, idempotency, current.keys),
      {
        expectedRevision: current.revision >= 0 ? current.revision : 'no_stream',
      },
    );
    const next: CachedAggregate<State> = {
      state: fold(decider, events, current.state),
      revision: result.nextExpectedRevision,
      position: result.position,
      // shared until a mark is added: no cached entry's marks are changed in place
      marks: idempotency ? new Map(current.marks) : current.marks,
      keys: current.keys.with(result.events),
    };
    if (idempotency)
      next.marks.set(idempotency.key, {
        fingerprint: idempotency.fingerprint,
        revision: next.revision,
        position: next.position,
      });
    this.cache.set(streamId, next);
    return {
      state: next.state,
      version: next.revision + 1,
      position: next.position,
      appended: result.events,
      replayed: false,
      keys: next.keys,
    };
  }

  private async appendUnconditionally<Command, Event extends DomainEvent, State>(
    decider: Decider<Command, Event, State>,
    streamId: string,
    command: CommandOf<Command>,
    context: CommandContext,
  ): Promise<CommandResult<State>> {
    const cached = this.cache.get<State>(streamId);
    const before = cached ?? {
      state: decider.initialState,
      revision: -1,
      position: 0,
      marks: new Map(),
      keys: StreamKeys.none,
    };
    const events = decider.decide(commandAt(command, before.keys), before.state);
    if (events.length === 0)
      return {
        state: before.state,
        version: before.revision + 1,
        position: before.position,
        appended: [],
        replayed: false,
        keys: before.keys,
      };
    const result = await this.store.append(streamId, await this.codec.encode(events, context), {
      expectedRevision: 'any',
    });
    const state = fold(decider, events, before.state);
    const keys = before.keys.with(result.events);
    // The cached state stays valid only if nobody else appended in between.
    if (cached && result.nextExpectedRevision === cached.revision + events.length)
      this.cache.set(streamId, {
        ...cached,
        state,
        revision: result.nextExpectedRevision,
        position: result.position,
        keys,
      });
    else this.cache.forget(streamId);
    return {
      state,
      version: result.nextExpectedRevision + 1,
      position: result.position,
      appended: result.events,
      replayed: false,
      keys,
    };
  }

  /** The cached state brought up to date with whatever was appended since (by anyone). */
  private async catchUp<Event extends DomainEvent, State>(
    decider: FoldOf<Event, State>,
    streamId: string,
  ): Promise<CachedAggregate<State>> {
    const cached = this.cache.get<State>(streamId);
    const start = cached ?? {
      state: decider.initialState,
      revision: -1,
      position: 0,
      marks: new Map(),
      keys: StreamKeys.none,
    };
    const recorded = await this.store.readStream(streamId, { fromRevision: start.revision + 1 });
    if (recorded.length === 0) return start;
    const events = await this.codec.decode<Event>(recorded);
    const marks = new Map(start.marks);
    for (const event of recorded) {
      const mark = markOf(event.metadata);
      // the last event appended under a key carries the first result's position
      if (mark)
        marks.set(mark.key, { fingerprint: mark.fingerprint, revision: event.revision, position: event.position });
    }
    const last = recorded.at(-1)!;
    const next = {
      state: fold(decider, events, start.state),
      revision: last.revision,
      position: last.position,
      marks,
      keys: start.keys.with(recorded),
    };
    this.cache.set(streamId, next);
    return next;
  }

  /** The state right after `revision`: the current one, or refolded from the log for an older retry. */
  private async stateAt<Event extends DomainEvent, State>(
    decider: FoldOf<Event, State>,
    streamId: string,
    revision: number,
    current: CachedAggregate<State>,
  ): Promise<State> {
    if (revision === current.revision) return current.state;
    const recorded = await this.store.readStream(streamId, { maxCount: revision + 1 });
    return fold(decider, await this.codec.decode<Event>(recorded));
  }
}

function commandAt<Command>(command: CommandOf<Command>, keys: StreamKeys): Command {
  return typeof command === 'function' ? (command as (keys: StreamKeys) => Command)(keys) : command;
}
