import { createTrustgateService } from './create-service.ts';

/**
 * The service's OpenAPI document, as `/openapi.json` serves it, from a service built in memory (an in-memory SQLite
 * store, no AWS reached, an OIDC issuer so every route is present). The typed client (`@trustgate/client`) is
 * generated from it, and a test checks that the generated client still matches it.
 */
export async function openApiDocument(): Promise<Record<string, unknown>> {
  const service = await createTrustgateService({
    databaseUrl: ':memory:',
    partitions: {
      aws: {
        endpoint: 'http://127.0.0.1:9',
        region: 'us-east-1',
        credentials: { accessKeyId: 'AKIAUNUSED0000000000', secretAccessKey: 'unused' },
        accountId: '111111111111',
      },
    },
    publicUrl: 'http://127.0.0.1',
    reverify: false,
    identity: { issuerUrl: 'https://oidc.trustgate.example', keyEncryptionKey: new Uint8Array(32) },
  });
  try {
    await service.app.ready();
    return service.app.swagger() as unknown as Record<string, unknown>;
  } finally {
    await service.close();
  }
}
