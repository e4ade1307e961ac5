/**
 * @trustgate/server — the connection service: store (SQLite, PostgreSQL), AWS adapters behind narrow ports,
 * use cases (connect, verify, callback, re-verify), auth/access levels/audit, and the HTTP API.
 */
export {
  createTrustgateService,
  DEFAULT_CATALOG_FILE,
  type TrustgateService,
  type TrustgateServiceConfig,
  type PartitionServiceConfig,
} from './create-service.ts';
export { openStore, type Store, type Repositories } from './store/store.ts';
export { DEFAULT_DATABASE_FILE } from './store/open-database.ts';
export { createOrganizationWithAdmin } from './app/directory/organizations.ts';
export { seedDemoOrganization } from './app/directory/seed-demo-organization.ts';
export { buildApp, type BuildAppOptions, type TrustgateApp } from './http/build-app.ts';
export { openApiDocument } from './openapi-document.ts';
export {
  sdkClientFactory,
  type AwsClientFactory,
  type AwsCredentials,
  type PartitionAwsConfig,
} from './aws/aws-clients.ts';
export { createPlatformUser } from './aws/create-platform-user.ts';
export { createTemplateBucket } from './aws/create-template-bucket.ts';
export { readPlatformAccount } from './aws/read-platform-identity.ts';
export { reverifyDueConnections, startReverifyScheduler } from './app/jobs/reverify-connections.ts';
export type { Connection, ConnectionStatus, AccessLevel, TokenScope } from './model/records.ts';
export {
  createSnsMessageVerifier,
  fetchCertificateText,
  isAwsSnsCertificateUrl,
  isCertificateUrl,
  MAX_CERTIFICATE_BYTES,
  type SnsMessageVerifier,
  type SnsMessageVerifierOptions,
  type VerifiedSnsMessage,
  type CertificateFetchPort,
} from './aws/verify-sns-message.ts';
export { createIdentity, type IdentityConfig } from './app/identity/create-identity.ts';
export { rotateStoreKeys, type ResealReport } from './app/identity/reseal-signing-keys.ts';
export {
  mintRunToken,
  type RunToken,
  type RunTokenInput,
  type TokenSessionTags,
} from './app/identity/mint-run-token.ts';
export type { IdentityDeps } from './app/identity/identity-deps.ts';
export type { IssuerKeys, SigningKeyView } from './app/identity/issuer-keys.ts';
export {
  exportStore,
  importStore,
  SECRET_SETTINGS,
  type ExportSummary,
  type StoreLocation,
  type TableCounts,
} from './app/backup/backup-store.ts';
