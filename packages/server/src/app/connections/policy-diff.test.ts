import { describe, expect, it } from 'vitest';
import { diffIssuedPolicies } from './policy-diff.ts';
import type { IssuedPolicy } from '../../model/records.ts';

const policy = (req: Record<string, string[]>, managed: string[] = []): IssuedPolicy => ({
  documents: [],
  managedPolicyArns: managed,
  requiredActions: Object.entries(req).map(([k, actions]) => ({
    productId: k.split('/')[0] ?? '',
    integrationId: k.split('/')[1] ?? '',
    actions,
  })),
});

describe('diffIssuedPolicies', () => {
  it('lists added and removed actions per integration and managed policy changes', () => {
    const from = policy({ 'p/a': ['s3:GetObject', 's3:ListBucket'], 'p/b': ['ec2:DescribeInstances'] }, [
      'arn:aws:iam::aws:policy/ReadOnlyAccess',
    ]);
    const to = policy({ 'p/a': ['s3:GetObject', 's3:PutObject'], 'q/c': ['sqs:SendMessage'] });
    const diff = diffIssuedPolicies(from, to);
    expect(diff.changed).toBe(true);
    expect(diff.added).toEqual([
      { productId: 'p', integrationId: 'a', actions: ['s3:PutObject'] },
      { productId: 'q', integrationId: 'c', actions: ['sqs:SendMessage'] },
    ]);
    expect(diff.removed).toEqual([
      { productId: 'p', integrationId: 'a', actions: ['s3:ListBucket'] },
      { productId: 'p', integrationId: 'b', actions: ['ec2:DescribeInstances'] },
    ]);
    expect(diff.managedPoliciesRemoved).toEqual(['arn:aws:iam::aws:policy/ReadOnlyAccess']);
  });

  it('shows wildcard changes plainly, even when the actions granted today are the same', () => {
    const actions = { 'p/a': ['cloudwatch:ListDashboards', 'cloudwatch:ListMetrics'] };
    const kept: IssuedPolicy = { ...policy(actions), wildcardMode: 'keep', wildcards: ['cloudwatch:List*'] };
    const expanded: IssuedPolicy = { ...policy(actions), wildcardMode: 'expand', wildcards: [] };
    const diff = diffIssuedPolicies(kept, expanded);
    expect(diff).toMatchObject({
      changed: true,
      added: [],
      removed: [],
      wildcardsAdded: [],
      wildcardsRemoved: ['cloudwatch:List*'],
      wildcardMode: { from: 'keep', to: 'expand' },
    });
    expect(diffIssuedPolicies(expanded, kept)).toMatchObject({ wildcardsAdded: ['cloudwatch:List*'] });
    // A record from before the wildcard mode reads as expand: recompiling it changes nothing.
    expect(diffIssuedPolicies(policy(actions), expanded)).toMatchObject({ changed: false, wildcardsAdded: [] });
    expect(diffIssuedPolicies(policy(actions), expanded).wildcardMode).toBeUndefined();
  });

  it('reports no change for the same permissions', () => {
    const p = policy({ 'p/a': ['s3:GetObject'] });
    expect(diffIssuedPolicies(p, structuredClone(p)).changed).toBe(false);
  });
});
