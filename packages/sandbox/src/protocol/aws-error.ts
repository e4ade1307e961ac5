/**
 * An error AWS returns over the Query protocol: its code, HTTP status and whether the fault is the caller's
 * (`Sender`) or the service's (`Receiver`). Codes and statuses follow each service's API reference
 * ("Errors" and "Common Errors" sections of the STS, IAM and CloudFormation API references).
 */
export class AwsError extends Error {
  /** The AWS error code, e.g. `NoSuchEntity`. */
  readonly code: string;
  /** HTTP status AWS sends with this code. */
  readonly status: number;
  /** `Sender` for client faults, `Receiver` for service faults. */
  readonly type: 'Sender' | 'Receiver';

  constructor(code: string, message: string, status = 400, type?: 'Sender' | 'Receiver') {
    super(message);
    this.name = 'AwsError';
    this.code = code;
    this.status = status;
    this.type = type ?? (status >= 500 ? 'Receiver' : 'Sender');
  }
}

/** `ValidationError` (400), the generic input error of IAM, STS and CloudFormation. */
export function validationError(message: string): AwsError {
  return new AwsError('ValidationError', message, 400);
}

/** IAM's `NoSuchEntity` (404). */
export function noSuchEntity(message: string): AwsError {
  return new AwsError('NoSuchEntity', message, 404);
}

/** `AccessDenied` (403). */
export function accessDenied(message: string): AwsError {
  return new AwsError('AccessDenied', message, 403);
}

/** `MalformedPolicyDocument` (400). */
export function malformedPolicy(message: string): AwsError {
  return new AwsError('MalformedPolicyDocument', message, 400);
}

/** IAM's `EntityAlreadyExists` (409). */
export function entityAlreadyExists(message: string): AwsError {
  return new AwsError('EntityAlreadyExists', message, 409);
}

/** IAM's `LimitExceeded` (409). */
export function limitExceeded(message: string): AwsError {
  return new AwsError('LimitExceeded', message, 409);
}

/** IAM's `DeleteConflict` (409). */
export function deleteConflict(message: string): AwsError {
  return new AwsError('DeleteConflict', message, 409);
}

/** Narrowing helper. */
export function isAwsError(value: unknown): value is AwsError {
  return value instanceof AwsError;
}
