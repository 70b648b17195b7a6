#!/usr/bin/env node
// datamon runs from its TypeScript sources through tsx: no emit step to forget.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
