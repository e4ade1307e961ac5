export { parseArn, type ParsedArn, type ParseArnResult } from './parse-arn.ts';
export { validateAccountId } from './account-id.ts';
export { validateIamName, validateIamPath, validateRoleName } from './role-name.ts';
export { parseRoleArn, type ParsedRoleArn, type ParseRoleArnResult } from './role-arn.ts';
export { assertNoErrors } from './assert-valid.ts';
