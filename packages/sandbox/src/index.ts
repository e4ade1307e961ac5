/**
 * @trustgate/sandbox — an AWS-compatible sandbox: STS, IAM and CloudFormation over the AWS Query protocol
 * with SigV4, authorized by trustgate's policy engine. A test peer and a demo; when it and AWS disagree,
 * AWS is right.
 */
export { startSandbox, type Sandbox, type SandboxAccount, type SandboxOptions } from './start-sandbox.ts';
export { FaultInjector, type FaultKind, type FaultParamCondition, type FaultRule } from './faults/fault-injector.ts';
export {
  createSnsSigningIdentity,
  snsStringToSign,
  type SnsMessageFields,
  type SnsSigningIdentity,
  type SignedSnsEnvelope,
} from './sns/sns-signing.ts';
