#!/usr/bin/env node
// The CLI runs from TypeScript sources through tsx's loader: no build step between an edit and `npx windhover`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2));
