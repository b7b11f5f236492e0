import { getNamedType, isObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { graphqlPersonalFields } from '../../src/schema/personal-fields.js';
import { startTestServer, tempDataDir } from '../server/harness.js';
import { runScenario, shownValues } from '../server/privacy-scenario.js';
import { introspect, leaves, queryEverything } from '../server/schema-walk.js';

describe('every GraphQL field that carries personal data is declared', () => {
  it('querying every field of every type after a full scenario: each field showing a personal value is declared, masked fields never show one', async () => {
    const data = tempDataDir();
    const server = await startTestServer(data.dir);
    try {
      const scenario = await runScenario(server);
      const schema = await introspect(server);
      const responses = await queryEverything(server, schema, scenario);
      expect(responses.flatMap((res) => res.errors ?? [])).toEqual([]);

      const values = shownValues().map((value) => value.toLowerCase());
      const showing = new Set<string>();
      const undeclared = new Set<string>();
      const maskedLeaks = new Set<string>();
      for (const { field, value } of responses.flatMap((res) => leaves(res.data))) {
        if (!values.some((personal) => value.toLowerCase().includes(personal))) continue;
        showing.add(field);
        const use = graphqlPersonalFields[field];
        if (!use) undeclared.add(field);
        else if (use.shows === 'masked') maskedLeaks.add(field);
      }
      expect(
        [...undeclared],
        'fields that show personal data but are not declared in src/schema/personal-fields.ts',
      ).toEqual([]);
      expect([...maskedLeaks], 'masked fields that show a personal value').toEqual([]);

      // Every declared field that shows values was seen showing one (so the walk reached it), except the requester:
      // an actor id, 'anonymous' until authentication lands.
      const expected = Object.entries(graphqlPersonalFields)
        .filter(
          ([, use]) => use.shows !== 'masked' && !(use.shows === 'value' && use.field.label.startsWith('requester')),
        )
        .map(([field]) => field);
      expect(expected.filter((field) => !showing.has(field))).toEqual([]);
      // and every masked field was seen with a masked value
      const maskedSeen = new Set(
        responses
          .flatMap((res) => leaves(res.data))
          .filter((leaf) => /^(psn_|\*@|\+\d)/.test(leaf.value))
          .map((leaf) => leaf.field),
      );
      const masked = Object.entries(graphqlPersonalFields)
        .filter(([, use]) => use.shows === 'masked')
        .map(([field]) => field);
      expect(masked.filter((field) => !maskedSeen.has(field))).toEqual([]);
    } finally {
      await server.close();
      data.remove();
    }
  }, 60_000);

  it('each declared field exists in the schema and is a text field', async () => {
    const data = tempDataDir();
    const server = await startTestServer(data.dir);
    try {
      const schema = await introspect(server);
      for (const key of Object.keys(graphqlPersonalFields)) {
        const [typeName, fieldName] = key.split('.') as [string, string];
        const type = schema.getType(typeName);
        expect(isObjectType(type), key).toBe(true);
        const field = isObjectType(type) ? type.getFields()[fieldName] : undefined;
        expect(field, key).toBeDefined();
        expect(['String', 'ID'], key).toContain(getNamedType(field!.type).name);
      }
    } finally {
      await server.close();
      data.remove();
    }
  });
});
