import type fc from 'fast-check';
import { expect } from 'vitest';
import { MUTATIONS } from './documents.js';
import { erasePerson } from './erasure-operations.js';
import type { LedgerSystem } from './ledger-system.js';
import { afterStep, type ModelState } from './mutation-command.js';
import { resolveActor, type ModelPrincipal } from './principals.js';
import type { PublisherModel } from './ledger-model.js';
import { updateContact } from './publisher-operations.js';

/** The publisher a race is about and a member of it (none: the race is skipped); the clock moves on to the race's instant. */
export function racers(
  model: ModelState,
  system: LedgerSystem,
  i: number,
): { p: PublisherModel; as: ModelPrincipal } | undefined {
  const p = model.publisherAt(i);
  const as = p && resolveActor(model, -1, p);
  if (!p || !as || as.role !== 'member') return undefined;
  system.clock.advance(1000);
  return { p, as };
}

/**
 * A member edits the contact's email while the same member erases the
 * contact, the erasure sent a moment after the edit. Either may win, but
 * the outcome must be one order or the other: an erasure that comes after
 * an acknowledged edit (by log position) erases it, one that comes before
 * leaves the edit readable; an edit that lost the race is a CONFLICT.
 */
export class RaceCommand implements fc.AsyncCommand<ModelState, LedgerSystem> {
  constructor(
    private readonly i: number,
    private readonly delayMs: number,
  ) {}
  check(): boolean {
    return true;
  }
  async run(model: ModelState, system: LedgerSystem): Promise<void> {
    const racing = racers(model, system, this.i);
    if (!racing) return;
    const { p, as } = racing;
    const update = updateContact(model, as, p, 8, false, false);
    const erase = erasePerson(model, as, p, 'CONTACT', 0);
    const [edited, erased] = await Promise.all([
      system.call(MUTATIONS.updatePublisherContact, update.variables, as),
      new Promise((resolve) => setTimeout(resolve, this.delayMs)).then(() =>
        system.call(MUTATIONS.erasePersonalData, erase.variables, as),
      ),
    ]);
    const context = `${this} as ${as.name}: edit ${edited.code ?? `at ${edited.data?.updatePublisherContact.position}`}, erasure ${erased.code ?? `at ${erased.data?.erasePersonalData.position}`}`;
    expect(erased.code, context).toBeNull();
    const eraseNow = () => {
      const verdict = erasePerson(model, as, p, 'CONTACT', 0).verdict;
      if (!('refused' in verdict)) verdict.commit(null);
    };
    if (edited.code === 'CONFLICT') {
      eraseNow();
    } else {
      expect(edited.code, context).toBeNull();
      if ('refused' in update.verdict) throw new Error(`${context}: the model refused the edit`);
      const editedAt = Number(edited.data.updatePublisherContact.position);
      const erasedAt = Number(erased.data.erasePersonalData.position);
      if (erasedAt > editedAt) {
        update.verdict.commit(edited.data);
        eraseNow();
      } else {
        eraseNow();
        update.verdict.commit(edited.data);
      }
    }
    await afterStep(model, system, p, as);
  }
  toString(): string {
    return `race: edit and erase the contact of p${this.i} (${this.delayMs} ms apart)`;
  }
}
