// Writes the GraphQL schema to schema.graphql, which is committed so that a
// schema change shows in review (test/schema/schema-file.test.ts checks it).
import fs from 'node:fs';
import { printSchema } from 'graphql';
import { buildAppSchema } from '../src/schema/build-schema.js';

const file = new URL('../schema.graphql', import.meta.url);
fs.writeFileSync(file, `${printSchema(await buildAppSchema())}\n`);
process.stdout.write(`wrote ${file.pathname}\n`);
