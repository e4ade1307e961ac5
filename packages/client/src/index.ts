export type { paths, components } from './api-types.ts';
export {
  createTrustgateClient,
  unwrap,
  DEFAULT_TIMEOUT_MS,
  type TrustgateClient,
  type TrustgateClientOptions,
  type FetchResult,
} from './client.ts';
export { errorFromAnswer, codeForStatus, redactSecrets } from './error-from-answer.ts';
