import { ArgsType, Field, Int, ObjectType, type ClassType } from 'type-graphql';
import { MAX_PAGE_SIZE } from './page-size.js';

@ObjectType('PageInfo', {
  simpleResolvers: true,
  description: 'Where a page of a list stands (Relay cursor connections).',
})
export class PageInfo {
  @Field(() => Boolean, { description: 'Whether a next page follows: pass `endCursor` as `after` to read it.' })
  hasNextPage!: boolean;

  @Field(() => String, {
    nullable: true,
    description: 'The cursor of the last item on this page; null for an empty page.',
  })
  endCursor!: string | null;
}

@ArgsType()
export class PageArgs {
  @Field(() => Int, { defaultValue: 20, description: `Page size, 1 to ${MAX_PAGE_SIZE}.` })
  first!: number;

  @Field(() => String, { nullable: true, description: "The previous page's `endCursor`." })
  after?: string | null;
}

export interface Edge<T> {
  node: T;
  cursor: string;
}

/** A page of a list that is not counted (see {@link uncountedConnectionOf}). */
export interface PageShape<T> {
  edges: Edge<T>[];
  pageInfo: PageInfo;
}

export interface ConnectionShape<T> extends PageShape<T> {
  totalCount: number;
}

/** `<name>Edge` and an abstract base holding `edges` and `pageInfo`. */
function pageBaseOf<T extends object>(node: ClassType<T>, name: string) {
  @ObjectType(`${name}Edge`, { simpleResolvers: true, description: `One ${name} in a list, with its cursor.` })
  class EdgeType {
    @Field(() => node, { description: `The ${name}.` })
    node!: T;

    @Field(() => String, { description: 'Pass as `after` to read what follows this item.' })
    cursor!: string;
  }

  // Never referenced by a field, so not emitted: only the named connection types below inherit it.
  @ObjectType(`${name}PageBase`, { simpleResolvers: true })
  class PageBase implements PageShape<T> {
    @Field(() => [EdgeType], { description: 'The items of this page, in order.' })
    edges!: EdgeType[];

    @Field(() => PageInfo, { description: 'Whether more follow, and from where.' })
    pageInfo!: PageInfo;
  }
  return PageBase;
}

/** A Relay connection type for `node` objects, named `<name>Connection` / `<name>Edge`. */
export function connectionOf<T extends object>(node: ClassType<T>, name: string) {
  @ObjectType(`${name}Connection`, { simpleResolvers: true, description: `A page of ${name} items.` })
  class ConnectionType extends pageBaseOf(node, name) implements ConnectionShape<T> {
    @Field(() => Int, { description: 'How many items the whole list holds.' })
    totalCount!: number;
  }
  return ConnectionType;
}

/** A Relay connection without `totalCount`, for lists too long to count on every page. */
export function uncountedConnectionOf<T extends object>(node: ClassType<T>, name: string) {
  @ObjectType(`${name}Connection`, {
    simpleResolvers: true,
    description: `A page of ${name} items (not counted: the list can be very long).`,
  })
  class ConnectionType extends pageBaseOf(node, name) {}
  return ConnectionType;
}
