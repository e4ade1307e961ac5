export { createActionList, editDistance, splitAction, wildcardToRegExp, type ActionList } from './action-list.ts';
export { loadAwsActionList } from './load-aws-action-list.ts';
