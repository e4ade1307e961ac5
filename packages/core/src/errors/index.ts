export { ERROR_CATALOG, type ErrorCode } from './error-catalog.ts';
export { TrustgateError, isTrustgateError, type Finding } from './trustgate-error.ts';
