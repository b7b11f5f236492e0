import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { ContactChannel, ContactListType, ContactPurpose } from '../schema/contact-list.type.js';
import type { RequestContext } from './context.js';

@Resolver()
export class ContactListResolver {
  @Mutation(() => ContactListType, {
    description:
      'The publishers that may be contacted for `purpose` by `channel`, with the value to use. OFFERS and FEEDBACK obey the contact preferences; BILLING, SECURITY and LEGAL do not (`preferencesApplied` false). A mutation: the list is recorded (who, purpose, channel, how many publishers), and each publisher on it gets a privacy request record (USE).',
  })
  async contactList(
    @Arg('purpose', () => ContactPurpose, { description: 'Why.' }) purpose: `${ContactPurpose}`,
    @Arg('channel', () => ContactChannel, { description: 'How.' }) channel: `${ContactChannel}`,
    @Ctx() ctx: RequestContext,
  ): Promise<ContactListType> {
    const list = await ctx.services.contactLists.produce(purpose, channel, ctx.command);
    return { ...list, basedOnPosition: String(list.basedOnPosition), position: String(list.position) };
  }
}
