/**
 * @trustgate/core — pure library: permission catalog, policy compiler, IAM policy engine, trust policies
 * and deliverables. No network, no database, no AWS SDK.
 */
export * from './errors/index.ts';
export * from './partition/index.ts';
export * from './policy-document/index.ts';
export * from './actions/index.ts';
export * from './catalog/index.ts';
export * from './engine/index.ts';
export * from './compiler/index.ts';
export * from './arn/index.ts';
export * from './external-id/index.ts';
export * from './trust/index.ts';
export * from './templates/index.ts';
export * from './blueprints/index.ts';
export * from './broker/index.ts';
