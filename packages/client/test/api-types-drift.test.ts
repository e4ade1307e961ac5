import { readFile } from 'node:fs/promises';
import { format, resolveConfig } from 'prettier';
import { describe, expect, it } from 'vitest';
import { API_TYPES_FILE, renderApiTypes } from './render-api-types.ts';

describe('the typed client against the routes the service serves', () => {
  it('src/api-types.ts is what openapi-typescript makes of the service\u2019s OpenAPI document now', async () => {
    const options = (await resolveConfig(API_TYPES_FILE)) ?? {};
    const fresh = await format(await renderApiTypes(), { ...options, parser: 'typescript' });
    const committed = await readFile(API_TYPES_FILE, 'utf8');
    // A route, field or schema changed without the client: run `npm run generate:client` and commit the result.
    expect(committed === fresh, 'packages/client/src/api-types.ts is stale: run npm run generate:client').toBe(true);
    // It holds the routes the CLI and the console call.
    for (const path of ['/v1/connections', '/v1/connections/{id}/verify', '/v1/stacks/{id}/attachments', '/v1/audit'])
      expect(committed).toContain(`'${path}': {`);
  });
});
