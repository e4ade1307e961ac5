/**
 * The AWS SDK's client packages, each loaded when an adapter first uses it: a service starts without loading any
 * (they were a large part of its start-up), and `trustgate serve --aws sandbox` loads only those its set-up calls.
 * Each loader keeps its promise, so later calls cost an already-resolved promise.
 */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => (loaded ??= load());
}

/** `@aws-sdk/client-sts`. */
export const loadSts = once(() => import('@aws-sdk/client-sts'));
/** `@aws-sdk/client-iam`. */
export const loadIam = once(() => import('@aws-sdk/client-iam'));
/** `@aws-sdk/client-s3`. */
export const loadS3 = once(() => import('@aws-sdk/client-s3'));
/** `@aws-sdk/client-organizations`. */
export const loadOrganizations = once(() => import('@aws-sdk/client-organizations'));
/** `@aws-sdk/s3-request-presigner`. */
export const loadPresigner = once(() => import('@aws-sdk/s3-request-presigner'));
