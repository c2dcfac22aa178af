#!/usr/bin/env node
// Entry point: runs the TypeScript sources through tsx's loader, so no build step is needed for the server.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
