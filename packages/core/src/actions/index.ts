export {
  ACCESS_LEVELS,
  createActionList,
  editDistance,
  parseAccessLevel,
  splitAction,
  wildcardToRegExp,
  type AccessLevel,
  type ActionList,
} from './action-list.ts';
export { loadAwsActionList } from './load-aws-action-list.ts';
