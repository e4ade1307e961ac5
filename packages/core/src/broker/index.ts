export { roleSessionName, sourceIdentity } from './session-name.ts';
