/**
 * The one catalog of error codes: what each means, its HTTP status and its CLI exit code.
 * The API and the CLI map a {@link TrustgateError} through this table and nothing else; a test checks
 * that every code used in the code base is listed here with a description.
 *
 * Exit codes: 1 = internal, 2 = bad input/usage, 3 = not found, 4 = denied/forbidden, 5 = conflict,
 * 6 = upstream (AWS) failure, 7 = verification failed.
 */
export const ERROR_CATALOG = {
  // input and validation
  INVALID_INPUT: {
    http: 400,
    exit: 2,
    description: 'The request or a command-line argument is malformed; the message names the field.',
  },
  INVALID_CATALOG: {
    http: 422,
    exit: 2,
    description: 'A permission catalog failed validation; findings name every place.',
  },
  INVALID_SELECTION: {
    http: 422,
    exit: 2,
    description: 'A selection names products or integrations the catalog does not have.',
  },
  UNKNOWN_ACTION: { http: 422, exit: 2, description: "An IAM action is not in AWS's action list." },
  POLICY_TOO_LARGE: {
    http: 422,
    exit: 2,
    description: "The compiled permissions cannot fit within AWS's policy size and count limits.",
  },
  INVALID_POLICY: {
    http: 422,
    exit: 2,
    description: 'A policy document failed validation; findings name every place.',
  },
  INVALID_PARTITION: {
    http: 400,
    exit: 2,
    description: 'The partition is not one of aws, aws-us-gov, aws-cn, or does not match an ARN.',
  },
  INVALID_ARN: { http: 400, exit: 2, description: 'An ARN is malformed or is not of the expected kind.' },
  INVALID_ACCOUNT_ID: { http: 400, exit: 2, description: 'An AWS account ID must be exactly 12 digits.' },
  INVALID_ROLE_NAME: {
    http: 400,
    exit: 2,
    description: 'A role name AWS would refuse (1-64 characters of letters, digits and +=,.@_-).',
  },
  INVALID_EXTERNAL_ID: {
    http: 400,
    exit: 2,
    description: "An external ID outside AWS's rules (2-1,224 characters of [\\w+=,.@:/-]).",
  },
  TRUST_POLICY_TOO_LARGE: {
    http: 422,
    exit: 2,
    description: 'The trust policy exceeds the role trust policy size limit.',
  },
  UNKNOWN_BLUEPRINT: { http: 400, exit: 2, description: 'No blueprint by that name.' },
  FILE_NOT_READABLE: {
    http: 400,
    exit: 2,
    description: 'A file given on the command line could not be read or parsed.',
  },
  // access
  UNAUTHENTICATED: { http: 401, exit: 4, description: 'No valid bearer token was presented.' },
  FORBIDDEN: { http: 403, exit: 4, description: 'The caller may not do this.' },
  NOT_FOUND: { http: 404, exit: 3, description: 'No such object, or the caller may not see it.' },
  CONFLICT: { http: 409, exit: 5, description: 'The object already exists or changed meanwhile.' },
  PAYLOAD_TOO_LARGE: { http: 413, exit: 2, description: 'The request body is larger than allowed.' },
  // HTTP requests the service cannot read
  UNSUPPORTED_MEDIA_TYPE: {
    http: 415,
    exit: 2,
    description: 'The request body is not JSON by its Content-Type; send it as application/json.',
  },
  HEADERS_TOO_LARGE: {
    http: 431,
    exit: 2,
    description:
      "The request line and headers together exceed the HTTP server's limit (16 KB); shorten the URL or the headers.",
  },
  REQUEST_TIMEOUT: {
    http: 408,
    exit: 2,
    description: "The request's headers did not arrive within the server's time limit; send the request again.",
  },
  // AWS and verification
  AWS_ERROR: { http: 502, exit: 6, description: 'AWS (or the configured endpoint) answered with an error.' },
  VERIFICATION_FAILED: { http: 422, exit: 7, description: 'The role could not be verified as required.' },
  ROLE_REFUSED: {
    http: 422,
    exit: 7,
    description:
      "The customer's role refused the assumption (AccessDenied): its trust policy does not admit trustgate's identity or this external ID, or the role was deleted; the message says what to change on the role.",
  },
  CREDENTIALS_UNAVAILABLE: {
    http: 503,
    exit: 6,
    description:
      'AWS STS throttled or failed after retries and no still-valid cached session is left; try again shortly.',
  },
  STORE_UNAVAILABLE: {
    http: 503,
    exit: 6,
    description: "trustgate's database could not be reached (or is busy); try again shortly.",
  },
  INTERNAL: { http: 500, exit: 1, description: 'An unexpected failure inside trustgate.' },
} as const satisfies Record<string, { http: number; exit: number; description: string }>;

/** Every error code trustgate uses. */
export type ErrorCode = keyof typeof ERROR_CATALOG;
