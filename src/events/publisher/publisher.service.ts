import type { Clock, IdGenerator } from '../../clock.js';
import type { CommandHandler, CommandResult, HandleOptions } from '../command-handler.js';
import type { CommandContext } from '../store/event-codec.js';
import type { Idempotency } from '../idempotency.js';
import { publisherDecider } from './publisher.commands.js';
import {
  noContact,
  type AadUser,
  publisherStream,
  type ContactDetails,
  type ContactPreferences,
  type PublisherState,
  type RegisteredPublisherState,
} from './publisher.events.js';
import { validateAll, ValidationError } from '../../errors.js';
import type { ActorReferences } from '../../privacy/actor-references.js';
import type { RegistrationCodeService } from '../registration-code/registration-code.service.js';
import { requireEmail, requireId, requireTelephone, requireText } from './publisher.validation.js';
import { requireUscc } from './uscc.js';

/** Every mutation may carry a key: a retry with it returns the first result and appends nothing. */
export interface IdempotentInput {
  idempotencyKey?: string | null;
}

export interface RegisterPublisherInput extends IdempotentInput {
  id?: string | null;
  companyName: string;
  registrationCode: string;
  contact: ContactDetails;
  contactPreferences?: ContactPreferences | null;
}

/** A change that names the publisher and the version the client edited. */
export interface VersionedInput extends IdempotentInput {
  id: string;
  expectedVersion: number;
}

export interface UpdatePublisherContactInput extends IdempotentInput {
  id: string;
  expectedVersion: number;
  companyName?: string | null;
  contact?: { name?: string | null; telephone?: string | null; email?: string | null } | null;
}

/** An account's validated fields. */
type CheckedAccount = { objectId: string; userPrincipalName: string; displayName: string };

/** The signed-in account that registers a publisher, which becomes its first account. */
export interface Registrant {
  objectId: string;
  userPrincipalName?: string;
  displayName?: string;
}

export type RegisteredPublisher = RegisteredPublisherState;

export interface PublisherChange extends Omit<CommandResult<PublisherState>, 'state'> {
  publisher: RegisteredPublisher;
}

/**
 * The publisher's use cases: validate and normalise input into a command,
 * stamp it with the clock, and run it through the command handler.
 */
export class PublisherService {
  constructor(
    private readonly handler: CommandHandler,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly idempotency: Idempotency,
    private readonly actors: ActorReferences,
    private readonly registrationCodes: RegistrationCodeService,
  ) {}

  async register(
    input: RegisterPublisherInput,
    context: CommandContext,
    registrant?: Registrant,
  ): Promise<PublisherChange> {
    const valid = validateAll({
      id: () => (input.id ? requireId('id', input.id) : undefined),
      companyName: () => requireText('companyName', input.companyName, 200),
      registrationCode: () => requireUscc('registrationCode', input.registrationCode),
      contact: () =>
        validateAll({
          name: () => requireText('contact.name', input.contact.name, 100),
          telephone: () => requireTelephone('contact.telephone', input.contact.telephone),
          email: () => requireEmail('contact.email', input.contact.email),
        }),
      registrant: () => (registrant ? this.checked(registrant) : undefined),
    });
    const { id, registrant: firstAccount, ...data } = valid;
    const publisherId =
      id ??
      (input.idempotencyKey
        ? this.idempotency.derivedId(await this.actors.idOf(context.actor), input.idempotencyKey)
        : this.ids.next());
    const firstUser = firstAccount && this.account(firstAccount, '');
    // the registrant acts as its new account from the first event on (the code's claim included)
    const acting = firstUser ? { ...context, newAccountId: firstUser.accountId } : context;
    const command = {
      type: 'RegisterPublisher' as const,
      data: {
        publisherId,
        ...data,
        contactPreferences: { ...noContact, ...input.contactPreferences },
        ...(firstUser ? { firstUser } : {}),
        now: this.now(),
      },
    };
    // A publisher registered already is a retry (answered with the first result) or refused: neither claims.
    if ((await this.handler.load(publisherDecider, publisherStream(publisherId))).state.status === 'unregistered') {
      await this.registrationCodes.claim(command.data.registrationCode, publisherId, command.data.now, acting);
    }
    return this.run(publisherId, command, { context: acting, idempotencyKey: input.idempotencyKey });
  }

  async updateContact(input: UpdatePublisherContactInput, context: CommandContext): Promise<PublisherChange> {
    const contact = input.contact ?? {};
    const optional =
      <T>(value: string | null | undefined, check: (value: string) => T) =>
      () =>
        value != null ? check(value) : undefined;
    const { publisherId, companyName, name, telephone, email } = validateAll({
      publisherId: () => requireId('id', input.id),
      companyName: optional(input.companyName, (v) => requireText('companyName', v, 200)),
      name: optional(contact.name, (v) => requireText('contact.name', v, 100)),
      telephone: optional(contact.telephone, (v) => requireTelephone('contact.telephone', v)),
      email: optional(contact.email, (v) => requireEmail('contact.email', v)),
    });
    // The given fields by name, in order: a rest pattern and entries arrays made each edit dearer (profile).
    const changed: Partial<ContactDetails> = {};
    if (name !== undefined) changed.name = name;
    if (telephone !== undefined) changed.telephone = telephone;
    if (email !== undefined) changed.email = email;
    const command = {
      type: 'UpdatePublisherContact' as const,
      data: { publisherId, ...(companyName !== undefined ? { companyName } : {}), contact: changed, now: this.now() },
    };
    return this.run(publisherId, command, {
      context,
      expectedVersion: input.expectedVersion,
      idempotencyKey: input.idempotencyKey,
    });
  }

  async updateContactPreferences(
    input: VersionedInput & { contactPreferences: ContactPreferences },
    context: CommandContext,
  ): Promise<PublisherChange> {
    const publisherId = requireId('id', input.id);
    const command = {
      type: 'UpdateContactPreferences' as const,
      data: { publisherId, contactPreferences: { ...input.contactPreferences }, now: this.now() },
    };
    return this.run(publisherId, command, {
      context,
      expectedVersion: input.expectedVersion,
      idempotencyKey: input.idempotencyKey,
    });
  }

  async addAadUser(
    input: VersionedInput & { objectId: string; userPrincipalName: string; displayName: string },
    context: CommandContext,
  ): Promise<PublisherChange> {
    const publisherId = requireId('id', input.id);
    const command = {
      type: 'AddAadUser' as const,
      data: {
        publisherId,
        user: this.account(this.checked(input), await this.actors.idOf(context.actor, publisherId)),
        now: this.now(),
      },
    };
    return this.run(publisherId, command, {
      context,
      expectedVersion: input.expectedVersion,
      idempotencyKey: input.idempotencyKey,
    });
  }

  /** Revokes the account's access at once: the next request with its token no longer finds it. */
  async removeAadUser(input: VersionedInput & { objectId: string }, context: CommandContext): Promise<PublisherChange> {
    const publisherId = requireId('id', input.id);
    const command = {
      type: 'RemoveAadUser' as const,
      data: { publisherId, objectId: requireId('objectId', input.objectId), now: this.now() },
    };
    return this.run(publisherId, command, {
      context,
      expectedVersion: input.expectedVersion,
      idempotencyKey: input.idempotencyKey,
    });
  }

  /** An operator's decision (src/auth/permissions.ts: operators only). */
  async approve(input: VersionedInput, context: CommandContext): Promise<PublisherChange> {
    const publisherId = requireId('id', input.id);
    const command = { type: 'ApprovePublisher' as const, data: { publisherId, now: this.now() } };
    return this.run(publisherId, command, {
      context,
      expectedVersion: input.expectedVersion,
      idempotencyKey: input.idempotencyKey,
    });
  }

  async reject(input: VersionedInput & { reason: string }, context: CommandContext): Promise<PublisherChange> {
    const publisherId = requireId('id', input.id);
    const reason = requireText('reason', input.reason, 500);
    const command = { type: 'RejectPublisher' as const, data: { publisherId, reason, now: this.now() } };
    return this.run(publisherId, command, {
      context,
      expectedVersion: input.expectedVersion,
      idempotencyKey: input.idempotencyKey,
    });
  }

  /** A new account's fields, validated together (src/errors.ts validateAll). */
  private checked(user: Registrant): CheckedAccount {
    const { objectId, userPrincipalName, displayName } = validateAll({
      objectId: () => requireId('objectId', user.objectId),
      userPrincipalName: () => {
        if (!user.userPrincipalName)
          throw new ValidationError(
            'userPrincipalName',
            'must be in the token (upn or preferred_username) to register',
          );
        return requireEmail('userPrincipalName', user.userPrincipalName);
      },
      displayName: () => (user.displayName != null ? requireText('displayName', user.displayName, 256) : undefined),
    });
    return { objectId, userPrincipalName, displayName: displayName ?? userPrincipalName };
  }

  /**
   * A new account: validated, with a fresh account id, added by `addedBy`
   * (a member's account, another actor's reference or id; a registrant's new
   * account is given its own id, which adds itself). Nothing here links it to
   * its person but the sealed object id: `me` finds it through the membership
   * read model (src/projections/membership/).
   */
  private account(
    { objectId, userPrincipalName, displayName }: CheckedAccount,
    addedBy: string,
  ): Omit<AadUser, 'addedAt'> {
    const accountId = this.ids.next();
    return { accountId, objectId, userPrincipalName, displayName, addedBy: addedBy || accountId };
  }

  private now(): string {
    return this.clock.now().toISOString();
  }

  private async run(
    publisherId: string,
    command: Parameters<typeof publisherDecider.decide>[0],
    options: { context: CommandContext; expectedVersion?: number; idempotencyKey?: string | null | undefined },
  ): Promise<PublisherChange> {
    const { context, expectedVersion, idempotencyKey } = options;
    const streamId = publisherStream(publisherId);
    const handling: HandleOptions = { context };
    if (expectedVersion !== undefined) handling.expectedVersion = expectedVersion;
    if (idempotencyKey)
      handling.idempotency = await this.idempotency.markPersonal(
        idempotencyKey,
        command.type,
        askedFor(command),
        streamId,
      );
    const result = await this.handler.handle(publisherDecider, streamId, command, handling);
    const { state } = result;
    if (state.status !== 'registered') throw new Error('a publisher command left no registered publisher');
    // The result's fields but its state, named one by one: a rest copy (`{ state, ...rest }`) runs V8's slow
    // generic property copy, and with the input's copy below, both on every command, even without a key.
    return {
      version: result.version,
      position: result.position,
      appended: result.appended,
      replayed: result.replayed,
      keys: result.keys,
      publisher: state,
    };
  }
}

/** What the client asked for, as an idempotency key's fingerprint covers it: a command's data without its instant or fresh ids. */
function askedFor(command: Parameters<typeof publisherDecider.decide>[0]): unknown {
  const { now: _now, ...input } = command.data;
  // A fresh account id is not part of what the client asked for (nor is a registrant's, which it is added by).
  if ('user' in input) input.user = { ...input.user, accountId: '' };
  if ('firstUser' in input && input.firstUser) input.firstUser = { ...input.firstUser, accountId: '', addedBy: '' };
  return input;
}
