#!/usr/bin/env node
// The `tgpipe` command: loads the TypeScript CLI through tsx, so the same sources run everywhere.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
