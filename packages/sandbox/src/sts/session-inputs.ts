import type { ContextValue } from '@trustgate/core';
import { policySize } from '@trustgate/core';
import { validatePolicyDocument } from '../iam/validate-policy.ts';
import { AwsError, validationError } from '../protocol/aws-error.ts';
import type { QueryParams } from '../protocol/query-params.ts';
import type { Tag } from '../state/model.ts';
import type { IssueSessionOptions } from './issue-session.ts';

/** AWS's model-validation message for one member. */
export function constraintError(value: string, member: string, constraint: string): AwsError {
  return validationError(
    `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: ${constraint}`,
  );
}

/** Checks a string against the length and pattern constraints of the STS API model. */
export function checkString(options: {
  value: string;
  member: string;
  min: number;
  max: number;
  pattern: RegExp;
  patternText: string;
}): void {
  const { value, member, min, max, pattern, patternText } = options;
  if (value.length < min)
    throw constraintError(value, member, `Member must have length greater than or equal to ${min}`);
  if (value.length > max) throw constraintError(value, member, `Member must have length less than or equal to ${max}`);
  if (!pattern.test(value))
    throw constraintError(value, member, `Member must satisfy regular expression pattern: ${patternText}`);
}

/** The session inputs shared by AssumeRole and AssumeRoleWithWebIdentity, validated as STS validates them. */
export interface SessionInputs {
  roleArn: string;
  roleSessionName: string;
  durationSeconds?: number;
  policy?: string;
  policyArns: string[];
  tags: Tag[];
  transitiveTagKeys: string[];
  sourceIdentity?: string;
  externalId?: string;
}

/**
 * What a new session takes from the caller's inputs as given: its name, its duration and its session policies
 * (inline and managed; STS API Reference, AssumeRole, "Session policies").
 */
export function requestedSession(
  inputs: SessionInputs,
  durationSeconds: number,
): Pick<IssueSessionOptions, 'sessionName' | 'durationSeconds' | 'policyArns' | 'sessionPolicy'> {
  return {
    sessionName: inputs.roleSessionName,
    durationSeconds,
    policyArns: inputs.policyArns,
    ...(inputs.policy !== undefined ? { sessionPolicy: inputs.policy } : {}),
  };
}

const SESSION_NAME = /^[\w+=,.@-]*$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]*$/;

/**
 * Reads and validates the request parameters (STS API reference, AssumeRole "Request Parameters"):
 * RoleArn 20-2,048; RoleSessionName 2-64 `[\w+=,.@-]*`; DurationSeconds 900-43,200; ExternalId 2-1,224
 * `[\w+=,.@:/-]*`; SourceIdentity 2-64 `[\w+=,.@-]*`; Policy 1-2,048 characters of valid policy JSON;
 * at most 10 PolicyArns; at most 50 session tags, keys 1-128, values 0-256 characters.
 */
export function readSessionInputs(params: QueryParams): SessionInputs {
  const roleArn = params.required('RoleArn');
  const roleSessionName = params.required('RoleSessionName');
  if (roleArn.length < 20)
    throw constraintError(roleArn, 'roleArn', 'Member must have length greater than or equal to 20');
  if (!/^arn:[a-z-]+:iam::\d{12}:role\/.+$/.test(roleArn)) throw validationError(`${roleArn} is invalid`);
  checkString({
    value: roleSessionName,
    member: 'roleSessionName',
    min: 2,
    max: 64,
    pattern: SESSION_NAME,
    patternText: '[\\w+=,.@-]*',
  });
  const durationSeconds = params.int('DurationSeconds');
  if (durationSeconds !== undefined && durationSeconds < 900)
    throw constraintError(
      String(durationSeconds),
      'durationSeconds',
      'Member must have value greater than or equal to 900',
    );
  if (durationSeconds !== undefined && durationSeconds > 43200)
    throw constraintError(
      String(durationSeconds),
      'durationSeconds',
      'Member must have value less than or equal to 43200',
    );
  const externalId = params.get('ExternalId');
  if (externalId !== undefined)
    checkString({
      value: externalId,
      member: 'externalId',
      min: 2,
      max: 1224,
      pattern: EXTERNAL_ID,
      patternText: '[\\w+=,.@:\\/-]*',
    });
  const sourceIdentity = params.get('SourceIdentity');
  if (sourceIdentity !== undefined)
    checkString({
      value: sourceIdentity,
      member: 'sourceIdentity',
      min: 2,
      max: 64,
      pattern: SESSION_NAME,
      patternText: '[\\w+=,.@-]*',
    });
  const policy = params.get('Policy');
  if (policy !== undefined) {
    if (policy.length > 2048)
      throw constraintError(policy, 'policy', 'Member must have length less than or equal to 2048');
    validatePolicyDocument(policy, 'identity');
  }
  const policyArns = (params.structList('PolicyArns') ?? []).map((p) => p.arn ?? '');
  if (policyArns.length > 10)
    throw constraintError(
      `[${policyArns.join(', ')}]`,
      'policyArns',
      'Member must have length less than or equal to 10',
    );
  const tags = params.tags() ?? [];
  if (tags.length > 50) throw constraintError('tags', 'tags', 'Member must have length less than or equal to 50');
  for (const t of tags) {
    if (t.Key.length < 1 || t.Key.length > 128)
      throw constraintError(t.Key, 'tags.member.key', 'Member must have length less than or equal to 128');
    if (t.Value.length > 256)
      throw constraintError(t.Value, 'tags.member.value', 'Member must have length less than or equal to 256');
  }
  const lowerKeys = tags.map((t) => t.Key.toLowerCase());
  if (new Set(lowerKeys).size !== lowerKeys.length)
    throw new AwsError(
      'InvalidParameterValue',
      'Duplicate tag keys found. Please note that Tag keys are case insensitive.',
      400,
    );
  const transitiveTagKeys = params.list('TransitiveTagKeys') ?? [];
  return {
    roleArn,
    roleSessionName,
    policyArns,
    tags,
    transitiveTagKeys,
    ...(durationSeconds !== undefined ? { durationSeconds } : {}),
    ...(policy !== undefined ? { policy } : {}),
    ...(sourceIdentity !== undefined ? { sourceIdentity } : {}),
    ...(externalId !== undefined ? { externalId } : {}),
  };
}

/**
 * The packed size of session policy and tags as a percentage of the allowed maximum (AssumeRole response
 * `PackedPolicySize`); AWS compresses, so this approximates the packed form by the compact JSON size.
 * Over 100 is `PackedPolicyTooLarge` (400).
 */
export function packedPolicySize(inputs: SessionInputs): number | undefined {
  if (inputs.policy === undefined && inputs.tags.length === 0 && inputs.policyArns.length === 0) return undefined;
  const policyChars = inputs.policy ? policySize(JSON.parse(inputs.policy)) : 0;
  const tagChars = inputs.tags.reduce((n, t) => n + t.Key.length + t.Value.length, 0);
  const size = Math.ceil((100 * (policyChars + tagChars + inputs.policyArns.join('').length)) / 2048);
  if (size > 100)
    throw new AwsError(
      'PackedPolicyTooLarge',
      `Packed size of policy and session tags exceeded ${size - 100}% of the allowed maximum.`,
      400,
    );
  return size;
}

/** The request-tag context keys for session tags: aws:RequestTag/<key>, aws:TagKeys, sts:TransitiveTagKeys. */
export function requestTagContext(tags: Tag[], transitiveTagKeys: string[]): Record<string, ContextValue> {
  const ctx: Record<string, ContextValue> = {};
  for (const t of tags) ctx[`aws:RequestTag/${t.Key}`] = t.Value;
  if (tags.length > 0) ctx['aws:TagKeys'] = tags.map((t) => t.Key);
  if (transitiveTagKeys.length > 0) ctx['sts:TransitiveTagKeys'] = transitiveTagKeys;
  return ctx;
}
