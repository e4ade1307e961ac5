import { writeFile } from 'node:fs/promises';
import { format, resolveConfig } from 'prettier';
import { API_TYPES_FILE, renderApiTypes } from '../test/render-api-types.ts';

/** `npm run generate:client`: writes packages/client/src/api-types.ts from the service's OpenAPI document. */
const source = await renderApiTypes();
const options = (await resolveConfig(API_TYPES_FILE)) ?? {};
await writeFile(API_TYPES_FILE, await format(source, { ...options, parser: 'typescript' }));
console.log(`wrote ${API_TYPES_FILE.pathname}`);
