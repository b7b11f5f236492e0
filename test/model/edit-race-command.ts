import type fc from 'fast-check';
import { expect } from 'vitest';
import { MUTATIONS } from './documents.js';
import type { LedgerSystem } from './ledger-system.js';
import { afterStep, type ModelState } from './mutation-command.js';
import { racers } from './race-command.js';
import { updateContact } from './publisher-operations.js';

/**
 * Two edits of the contact's email sent at once with the same
 * expectedVersion: exactly one is acknowledged, the other is a CONFLICT,
 * and the acknowledged value is the one that reads back.
 */
export class EditRaceCommand implements fc.AsyncCommand<ModelState, LedgerSystem> {
  constructor(private readonly i: number) {}
  check(): boolean {
    return true;
  }
  async run(model: ModelState, system: LedgerSystem): Promise<void> {
    const racing = racers(model, system, this.i);
    if (!racing) return;
    const { p, as } = racing;
    const edits = [updateContact(model, as, p, 8, false, false), updateContact(model, as, p, 8, false, false)];
    const answers = await Promise.all(
      edits.map((edit) => system.call(MUTATIONS.updatePublisherContact, edit.variables, as)),
    );
    const codes = answers.map((answer) => answer.code);
    expect(codes.sort(), `${this} as ${as.name}`).toEqual(['CONFLICT', null].sort());
    const winner = edits[answers.findIndex((answer) => answer.code === null)]!;
    if ('refused' in winner.verdict) throw new Error(`${this}: the model refused the edit`);
    winner.verdict.commit(null);
    await afterStep(model, system, p, as);
  }
  toString(): string {
    return `race: two edits of the contact of p${this.i}`;
  }
}
