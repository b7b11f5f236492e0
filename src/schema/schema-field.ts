import { isObjectType, type GraphQLField, type GraphQLSchema } from 'graphql';

/** The field a `Type.field` key names in the built schema, or undefined when the schema has none. */
export function schemaField<Context>(schema: GraphQLSchema, key: string): GraphQLField<unknown, Context> | undefined {
  const [typeName, fieldName] = key.split('.') as [string, string];
  const type = schema.getType(typeName);
  // the schema's resolvers take whatever context the server gives them: the caller names it
  return isObjectType(type) ? (type.getFields()[fieldName] as GraphQLField<unknown, Context> | undefined) : undefined;
}
