#!/usr/bin/env node
// The `warren` command: runs the TypeScript sources through tsx, as the services run theirs.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
