import type { Finding } from '../errors/index.ts';

/** IAM name characters: letters, digits and `+=,.@_-` (IAM API Reference, CreateRole `RoleName`). */
const NAME_PATTERN = /^[\w+=,.@-]+$/;

/**
 * Check an IAM role name as AWS's CreateRole would: 1 to 64 characters of `[\w+=,.@-]` (IAM API Reference,
 * CreateRole; IAM quotas "Role name 64 characters"). The same rule applies to user, instance profile and
 * managed policy names except for the length: pass `maxLength` (users 64, policies 128). Returns findings.
 */
export function validateIamName(
  value: unknown,
  options: { path?: string; maxLength?: number; kind?: string } = {},
): Finding[] {
  const path = options.path ?? 'roleName';
  const max = options.maxLength ?? 64;
  const kind = options.kind ?? 'role name';
  const fail = (message: string): Finding[] => [
    { code: 'INVALID_ROLE_NAME', severity: 'error', message: `${path}: ${message}`, path },
  ];
  if (typeof value !== 'string' || value.length === 0) return fail(`a ${kind} is required`);
  if (value.length > max)
    return fail(`a ${kind} is at most ${max} characters; "${value.slice(0, 20)}..." has ${value.length}`);
  if (!NAME_PATTERN.test(value)) {
    const bad = [...new Set([...value].filter((c) => !/[\w+=,.@-]/.test(c)))].map((c) => JSON.stringify(c)).join(', ');
    return fail(`a ${kind} may contain only letters, digits and +=,.@_- ; "${value}" contains ${bad}`);
  }
  return [];
}

/** Check a role name (1-64 characters of `[\w+=,.@-]`). See {@link validateIamName}. */
export function validateRoleName(value: unknown, path = 'roleName'): Finding[] {
  return validateIamName(value, { path, maxLength: 64, kind: 'role name' });
}

/**
 * Check an IAM path (`/` or `/a/b/`): starts and ends with `/`, at most 512 characters of printable ASCII
 * without spaces (IAM API Reference, CreateRole `Path`).
 */
export function validateIamPath(value: unknown, path = 'path'): Finding[] {
  if (typeof value === 'string' && value.length <= 512 && /^\/(?:[\x21-\x7e]*\/)?$/.test(value)) return [];
  return [
    {
      code: 'INVALID_INPUT',
      severity: 'error',
      message: `${path}: an IAM path starts and ends with "/" (for example "/" or "/trustgate/")`,
      path,
    },
  ];
}
