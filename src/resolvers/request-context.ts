import type { Column } from '../auth/permissions.js';
import type { Principal } from '../auth/principal.js';
import type { CommandContext } from '../events/store/event-codec.js';
import { createLoaders, type RequestContext } from './context.js';

/**
 * One request's context. `command`, the loaders and the access checks are
 * made on first use (only mutations and recorded views stamp events; only
 * reads load through DataLoaders), by getters on the prototype: Apollo
 * hands resolvers a copy of the context's own properties (Object.assign),
 * which would call an own getter at once.
 */
export class LedgerRequestContext<Record extends { readonly id: string }> implements RequestContext {
  /** the permission column an operation or a read was allowed under (src/auth/authorize.ts), recorded as the actor's role */
  private role: Column | undefined;
  /** of a copy made by actingAs: the request's context, whose ids, loaders and access checks the copy shares */
  private origin: LedgerRequestContext<Record> | undefined;
  private made: RequestContext['command'] | undefined;
  private madeLoaders: RequestContext['loaders'] | undefined;
  private madeAccess: RequestContext['access'] | undefined;
  /** set on Apollo's copy of the context for one operation (src/resolvers/read-audit.ts) */
  viewsTold: RequestContext['viewsTold'];

  constructor(
    readonly services: RequestContext['services'],
    readonly principal: Principal,
    /** the request's id (also every event's requestId), logger and outcome */
    readonly record: Record,
    /** the request's correlation id and client, read from the transport when a command first needs them */
    private readonly transport: () => Pick<CommandContext, 'correlationId' | 'client'>,
  ) {}

  /** Made on first use, like `command`: a mutation never loads through them. */
  get loaders(): RequestContext['loaders'] {
    if (this.origin) return this.origin.loaders;
    return (this.madeLoaders ??= createLoaders(this.services));
  }

  get access(): RequestContext['access'] {
    if (this.origin) return this.origin.access;
    return (this.madeAccess ??= this.services.membership.checksFor(this.principal));
  }

  get command(): RequestContext['command'] {
    if (!this.made && this.origin) {
      const request = this.origin.command;
      // The actor (made below: id, kind) by name: the conditional spread of a role cost a mutation ~0.5 µs (profile).
      const { id, kind } = request.actor;
      const role = this.role ?? request.actor.role;
      this.made = { ...request, actor: role === undefined ? { id, kind } : { id, kind, role } };
    }
    if (!this.made) {
      const { correlationId, client } = this.transport();
      this.made = {
        actor: { id: this.principal.id, kind: this.principal.kind, ...(this.role ? { role: this.role } : {}) },
        correlationId,
        requestId: this.record.id,
        client,
      };
    }
    return this.made;
  }

  /**
   * A copy with its own role (a plain copy of the fields, as Apollo makes per
   * operation: cheaper than a prototype with a property descriptor). Its
   * loaders and access checks are the request's, made once whichever copy
   * asks first; its command is the request's (same ids), with the role.
   */
  actingAs(column: Column): this {
    const acting = Object.assign(Object.create(Object.getPrototypeOf(this) as object), this) as this;
    acting.role = column;
    acting.origin = this.origin ?? this;
    acting.made = undefined;
    return acting;
  }
}
