#!/usr/bin/env node
// Entry point of `npm run bench`: runs the TypeScript bench through tsx's loader (no build step).
import { register } from 'tsx/esm/api';

register();
await import('../bench/run.ts');
