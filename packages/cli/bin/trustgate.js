#!/usr/bin/env node
// Entry point: registers tsx so the TypeScript sources run directly on Node 20, then starts the CLI.
import process from 'node:process';
import { register } from 'tsx/esm/api';

// trustgate targets the machine's Node 20, which the AWS SDK supports until January 2027; its start-up notice
// about that would otherwise open every command's output. Set the variable to 'false' to see it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
await import('../src/main.ts');
