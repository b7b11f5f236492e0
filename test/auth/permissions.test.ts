import { getIntrospectionQuery, graphqlSync, isObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { fieldPermissions, operationPermissions, type Permission } from '../../src/auth/permissions.js';
import { buildAppSchema } from '../../src/schema/build-schema.js';
import { COLUMNS, readmeTable, type ReadmeRow } from './readme-tables.js';

const asRow = (name: string, permission: Permission): ReadmeRow => ({
  name,
  names: permission.target.kind,
  access: Object.fromEntries(COLUMNS.map((column) => [column, permission[column]])) as ReadmeRow['access'],
});

describe('the permission table', () => {
  it("the README's operation table is exactly the one in code", () => {
    expect(readmeTable('operation')).toEqual(Object.entries(operationPermissions).map(([name, p]) => asRow(name, p)));
  });

  it("the README's personal-field table is exactly the one in code", () => {
    expect(readmeTable('personal field')).toEqual(Object.entries(fieldPermissions).map(([name, p]) => asRow(name, p)));
  });

  it('has a row for every query and mutation of the schema, and no other', async () => {
    const schema = await buildAppSchema();
    const roots = [schema.getQueryType(), schema.getMutationType()].flatMap((type) =>
      Object.keys(type?.getFields() ?? {}),
    );
    expect(roots.sort()).toEqual(Object.keys(operationPermissions).sort());
    expect(graphqlSync({ schema, source: getIntrospectionQuery() }).errors).toBeUndefined();
  });

  it('names only fields that exist in the schema', async () => {
    const schema = await buildAppSchema();
    for (const key of Object.keys(fieldPermissions)) {
      const [type, field] = key.split('.') as [string, string];
      const object = schema.getType(type);
      expect(isObjectType(object) && object.getFields()[field], key).toBeTruthy();
    }
  });
});
