export { splitArn, type ArnParts } from './split-arn.ts';
export { parseArn, type ParsedArn, type ParseArnResult } from './parse-arn.ts';
export { ACCOUNT_ID_PATTERN, isAccountId, validateAccountId } from './account-id.ts';
export { REGION_PATTERN, isRegion, validateRegion } from './region.ts';
export { STACK_NAME_PATTERN, isStackName, parseStackArn, type ParsedStackArn } from './stack-arn.ts';
export { validateIamName, validateIamPath, validateRoleName } from './role-name.ts';
export { parseRoleArn, type ParsedRoleArn, type ParseRoleArnResult } from './role-arn.ts';
export { assertNoErrors } from './assert-valid.ts';
