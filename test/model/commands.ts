import fc from 'fast-check';
import { OFFER_KINDS, type OfferModel, type PublisherModel } from './ledger-model.js';
import { MutationCommand, RetryCommand, type Built, type ModelState } from './mutation-command.js';
import {
  addAccount,
  register,
  removeAccount,
  review,
  updateContact,
  updatePreferences,
  type Operation,
} from './publisher-operations.js';
import { createOffer, deleteOffer, publishOffer, updateSupport } from './offer-operations.js';
import { closeAccount, deleteRecord, erasePerson } from './erasure-operations.js';
import { contactList, recordDisclosure } from './disclosure-operations.js';
import { ExportCommand, OfflineCommand, ProbeCommand } from './read-commands.js';
import { RaceCommand } from './race-command.js';
import { ElapseCommand, GrantCommand, OperatorReadCommand, RevokeGrantCommand } from './grant-commands.js';
import { EditRaceCommand } from './edit-race-command.js';
import { LeaseRunsOutCommand, StopStandbyCommand } from './lease-commands.js';
import { OPERATOR, PRINCIPALS, USERS, principalAt, resolveActor, type ModelPrincipal } from './principals.js';

/**
 * Who acts: -1 is "a member of the publisher the step touches" (so that
 * most steps get past authorisation), otherwise an index into PRINCIPALS.
 */
const actor = fc.oneof(
  { arbitrary: fc.constant(-1), weight: 3 },
  { arbitrary: fc.nat(PRINCIPALS.length - 1), weight: 1 },
);
/** true about one time in five (stale versions, keys, resent values) */
const sometimes = fc.nat(4).map((n) => n === 0);
const index = fc.nat(20);
/** an index one time in five, else null */
const rarelyAnIndex = fc.tuple(sometimes, index).map(([yes, i]) => (yes ? i : null));

const onPublisher =
  (make: (model: ModelState, p: PublisherModel, as: ModelPrincipal) => Operation, operation: string) =>
  (who: number, i: number) =>
  (model: ModelState): Built | undefined => {
    const p = model.publisherAt(i);
    if (!p) return undefined;
    const as = resolveActor(model, who, p);
    return {
      operation: make(model, p, as),
      as,
      touched: () => p,
      version: () => p.version,
      authAgain: () => model.authorize(operation, as, p.id),
    };
  };

const onOffer =
  (make: (model: ModelState, o: OfferModel, as: ModelPrincipal) => Operation, operation: string) =>
  (who: number, i: number) =>
  (model: ModelState): Built | undefined => {
    const o = model.offerAt(i);
    if (!o) return undefined;
    const p = model.publisher(o.publisherId);
    const as = resolveActor(model, who, p);
    return {
      operation: make(model, o, as),
      as,
      touched: () => p,
      version: () => o.version,
      authAgain: () => model.authorize(operation, as, model.offerOwner(o)),
    };
  };

const command = (label: string, build: (model: ModelState) => Built | undefined, keyed: boolean) =>
  new MutationCommand(label, build, keyed);

/**
 * How every history starts, so that its random steps find something to act
 * on: two publishers (users 0 and 1), the first approved, with a draft
 * offer that has a support contact, and an operator's grant on the first.
 */
export function prelude(): Array<MutationCommand | GrantCommand> {
  const registerBy = (user: number) =>
    command(
      `register by ${user}`,
      (model) => {
        const as = USERS[user]!;
        return {
          operation: register(model, as, false),
          as,
          touched: () => model.publishers.at(-1),
          version: () => 1,
          authAgain: () => null,
        };
      },
      false,
    );
  return [
    registerBy(0),
    registerBy(1),
    command(
      'approve p0 by operator',
      onPublisher((m, p, as) => review(m, as, p, true, false), 'approvePublisher')(4, 0),
      false,
    ),
    command(
      'createOffer p0 by member',
      (model) => {
        const built = onPublisher((m, p, as) => createOffer(m, as, p, 'VIRTUAL_MACHINE'), 'createOffer')(-1, 0)(model);
        return built && { ...built, version: () => 1 };
      },
      false,
    ),
    command(
      'supportContacts o0 1x6 by member',
      onOffer((m, o, as) => updateSupport(m, as, o, 1, 6, false), 'updateOfferCustomerService')(-1, 0),
      false,
    ),
    // the operator holds a grant on p0 for four hours: its reads there are granted until revoked or expired
    new GrantCommand(0, 240, false),
  ];
}

/** Every kind of step of a history, with how often it comes. */
export function ledgerCommands(options: { offline: boolean; maxCommands: number }) {
  const mutations = [
    fc
      .record({ who: actor, prefs: fc.boolean(), keyed: sometimes, taken: rarelyAnIndex })
      .map(({ who, prefs, keyed, taken }) =>
        command(
          `register by ${who}${taken === null ? '' : ` with the id of p${taken}`}`,
          (model) => {
            const as = who >= 0 ? principalAt(who) : USERS[model.publishers.length % USERS.length]!;
            const takenId = taken === null ? undefined : model.publisherAt(taken)?.id;
            return {
              operation: register(model, as, prefs, takenId),
              as,
              touched: () => model.publishers.at(-1),
              version: () => 1,
              authAgain: () => model.authorize('registerPublisher', as),
            };
          },
          keyed,
        ),
      ),
    fc
      .record({
        who: actor,
        i: index,
        mask: fc.integer({ min: 1, max: 15 }),
        same: sometimes,
        stale: sometimes,
        keyed: sometimes,
      })
      .map(({ who, i, mask, same, stale, keyed }) =>
        command(
          `updateContact p${i} by ${who} fields ${mask}${same ? ' same' : ''}${stale ? ' stale' : ''}`,
          onPublisher((m, p, as) => updateContact(m, as, p, mask, same, stale), 'updatePublisherContact')(who, i),
          keyed,
        ),
      ),
    fc
      .record({ who: actor, i: index, bits: fc.nat(15), stale: sometimes })
      .map(({ who, i, bits, stale }) =>
        command(
          `preferences p${i} by ${who} = ${bits}${stale ? ' stale' : ''}`,
          onPublisher((m, p, as) => updatePreferences(m, as, p, bits, stale), 'updateContactPreferences')(who, i),
          false,
        ),
      ),
    fc
      .record({
        who: fc.constantFrom(4, 4, 4, -1, 0),
        i: index,
        approve: fc.boolean(),
        stale: sometimes,
        keyed: sometimes,
      })
      .map(({ who, i, approve, stale, keyed }) =>
        command(
          `${approve ? 'approve' : 'reject'} p${i} by ${who}${stale ? ' stale' : ''}`,
          onPublisher((m, p, as) => review(m, as, p, approve, stale), approve ? 'approvePublisher' : 'rejectPublisher')(
            who,
            i,
          ),
          keyed,
        ),
      ),
    fc
      .record({ who: actor, i: index, user: fc.nat(USERS.length - 1), stale: sometimes, keyed: sometimes })
      .map(({ who, i, user, stale, keyed }) =>
        command(
          `addAadUser p${i} user${user} by ${who}${stale ? ' stale' : ''}`,
          onPublisher((m, p, as) => addAccount(m, as, p, USERS[user]!, stale), 'addAadUser')(who, i),
          keyed,
        ),
      ),
    fc.record({ who: actor, i: index, n: fc.nat(6), stale: sometimes }).map(({ who, i, n, stale }) =>
      // n: the publisher's listed accounts first, then anyone
      command(
        `removeAadUser #${n} of p${i} by ${who}${stale ? ' stale' : ''}`,
        onPublisher((m, p, as) => {
          const candidates = [
            ...p.accounts.filter((a) => a.listed).map((a) => a.objectId),
            ...[...USERS, OPERATOR].map((u) => u.oid),
          ];
          return removeAccount(m, as, p, candidates[n % candidates.length]!, stale);
        }, 'removeAadUser')(who, i),
        false,
      ),
    ),
    fc
      .record({ who: actor, i: index, kind: fc.constantFrom(...OFFER_KINDS), keyed: sometimes, taken: rarelyAnIndex })
      .map(({ who, i, kind, keyed, taken }) =>
        command(
          `createOffer p${i} ${kind} by ${who}${taken === null ? '' : ` with the id of o${taken}`}`,
          (model) => {
            const takenId = taken === null ? undefined : model.offerAt(taken)?.id;
            const built = onPublisher((m, p, as) => createOffer(m, as, p, kind, takenId), 'createOffer')(who, i)(model);
            return built && { ...built, version: () => 1 };
          },
          keyed,
        ),
      ),
    fc
      .record({
        who: actor,
        i: index,
        count: fc.nat(2),
        channels: fc.integer({ min: 1, max: 31 }),
        stale: sometimes,
        keyed: sometimes,
      })
      .map(({ who, i, count, channels, stale, keyed }) =>
        command(
          `supportContacts o${i} ${count}x${channels} by ${who}${stale ? ' stale' : ''}`,
          onOffer((m, o, as) => updateSupport(m, as, o, count, channels, stale), 'updateOfferCustomerService')(who, i),
          keyed,
        ),
      ),
    fc
      .record({ who: actor, i: index, stale: sometimes })
      .map(({ who, i, stale }) =>
        command(
          `publish o${i} by ${who}${stale ? ' stale' : ''}`,
          onOffer((m, o, as) => publishOffer(m, as, o, stale), 'publishOffer')(who, i),
          false,
        ),
      ),
    fc
      .record({ who: actor, i: index, stale: sometimes, keyed: sometimes })
      .map(({ who, i, stale, keyed }) =>
        command(
          `deleteOffer o${i} by ${who}${stale ? ' stale' : ''}`,
          onOffer((m, o, as) => deleteOffer(m, as, o, stale), 'deleteOffer')(who, i),
          keyed,
        ),
      ),
    fc
      .record({
        who: actor,
        i: index,
        target: fc.constantFrom('CONTACT' as const, 'AAD_ACCOUNT' as const, 'OFFER_SUPPORT' as const),
        n: index,
        keyed: sometimes,
      })
      .map(({ who, i, target, n, keyed }) =>
        command(
          `erase ${target} #${n} of p${i} by ${who}`,
          (model) => {
            const built = onPublisher((m, p, as) => erasePerson(m, as, p, target, n), 'erasePersonalData')(who, i)(
              model,
            );
            return built && { ...built, version: undefined };
          },
          keyed,
        ),
      ),
    fc.record({ who: actor, i: index, n: index, keyed: sometimes }).map(({ who, i, n, keyed }) =>
      command(
        `deletePrivacyRequestRecord #${n} of p${i} by ${who}`,
        (model) => {
          const p = model.publisherAt(i);
          const as = resolveActor(model, who, p);
          const operation = p && deleteRecord(model, as, p, n);
          return (
            operation && {
              operation,
              as,
              touched: () => p,
              authAgain: () => model.authorize('deletePrivacyRequestRecord', as, p!.id),
            }
          );
        },
        keyed,
      ),
    ),
    // mostly the operator (4); sometimes a member, the auditor (5) or the analyst (6), who are refused
    fc
      .record({
        who: fc.constantFrom(4, 4, 4, -1, 5),
        i: index,
        kind: fc.constantFrom('notified' as const, 'withheld' as const, 'withheld' as const, 'noBasis' as const),
        keyed: sometimes,
      })
      .map(({ who, i, kind, keyed }) =>
        command(
          `recordDisclosure ${kind} p${i} by ${who}`,
          (model) => {
            const built = onPublisher((m, p, as) => recordDisclosure(m, as, p, kind), 'recordDisclosure')(who, i)(
              model,
            );
            return built && { ...built, version: undefined };
          },
          keyed,
        ),
      ),
    fc
      .record({
        who: fc.constantFrom(4, 4, 4, 0, 6),
        purpose: fc.constantFrom('OFFERS' as const, 'FEEDBACK' as const, 'BILLING' as const),
        channel: fc.constantFrom('EMAIL' as const, 'PHONE' as const),
      })
      .map(({ who, purpose, channel }) =>
        command(
          `contactList ${purpose} ${channel} by ${who}`,
          (model) => {
            const as = principalAt(who);
            return {
              operation: contactList(model, as, purpose, channel),
              as,
              touched: () => undefined,
              authAgain: () => model.authorize('contactList', as),
            };
          },
          false,
        ),
      ),
  ];
  const close = fc.record({ who: actor, i: index, keyed: sometimes }).map(({ who, i, keyed }) =>
    command(
      `closePublisherAccount p${i} by ${who}`,
      (model) => {
        const built = onPublisher((m, p, as) => closeAccount(m, as, p), 'closePublisherAccount')(who, i)(model);
        return built && { ...built, version: undefined };
      },
      keyed,
    ),
  );
  return fc.commands(
    [
      // mutations three times as often as the rest
      ...mutations,
      ...mutations,
      ...mutations,
      close,
      fc.record({ other: sometimes, back: fc.nat(5) }).map(({ other, back }) => new RetryCommand(other, back)),
      fc.record({ other: sometimes, back: fc.nat(5) }).map(({ other, back }) => new RetryCommand(other, back)),
      fc.record({ i: index, delay: fc.nat(3) }).map(({ i, delay }) => new RaceCommand(i, delay)),
      fc.record({ i: index, delay: fc.nat(3) }).map(({ i, delay }) => new RaceCommand(i, delay)),
      index.map((i) => new EditRaceCommand(i)),
      fc.record({ who: actor, i: index }).map(({ who, i }) => new ExportCommand(who, i)),
      fc
        .record({
          who: fc.nat(PRINCIPALS.length - 1),
          i: index,
          operation: fc.constantFrom(...ProbeCommand.operations),
        })
        .map(({ who, i, operation }) => new ProbeCommand(who, i, operation)),
      // the operator's access grants: asked for (sometimes too long), revoked, expiring, and reads with and without one
      fc
        .record({ i: index, minutes: fc.integer({ min: 1, max: 600 }), emergency: sometimes, keyed: sometimes })
        .map(({ i, minutes, emergency, keyed }) => new GrantCommand(i, minutes, emergency, keyed)),
      fc
        .record({ i: index, minutes: fc.integer({ min: 1, max: 600 }), emergency: sometimes, keyed: sometimes })
        .map(({ i, minutes, emergency, keyed }) => new GrantCommand(i, minutes, emergency, keyed)),
      index.map((i) => new RevokeGrantCommand(i)),
      fc.integer({ min: 10, max: 300 }).map((minutes) => new ElapseCommand(minutes)),
      fc
        .record({ i: index, newestGrant: fc.boolean() })
        .map(({ i, newestGrant }) => new OperatorReadCommand(i, newestGrant)),
      fc
        .record({ i: index, newestGrant: fc.boolean() })
        .map(({ i, newestGrant }) => new OperatorReadCommand(i, newestGrant)),
      // projection leases run out (with or without a standby worker beside the server to take them over)
      fc.boolean().map((standby) => new LeaseRunsOutCommand(standby)),
      fc.boolean().map((standby) => new LeaseRunsOutCommand(standby)),
      fc.constant(new StopStandbyCommand()),
      ...(options.offline ? [fc.constantFrom(...OfflineCommand.kinds).map((kind) => new OfflineCommand(kind))] : []),
    ],
    { maxCommands: options.maxCommands, size: 'max' },
  );
}
