#!/usr/bin/env node
// The `privacy-ledger` command. Runs the compiled CLI (built by `npm ci` /
// `npm run build` into dist/).
import { main } from '../dist/src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
