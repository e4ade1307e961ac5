/**
 * fast-check generators of requests and policy sets for the differential tests: small domains of real
 * actions, well-formed ARNs and typed global condition keys, so that both evaluators accept every input and
 * collisions (a policy value equal to a request value) happen often.
 */
import fc from 'fast-check';
import type { EvaluationRequest, PolicySet } from '../../src/engine/index.ts';
import type { PolicyDocument, PolicyStatement } from '../../src/policy-document/index.ts';

export const ACCOUNT_A = '111122223333';
export const ACCOUNT_B = '444455556666';

/** Principals the generator uses, with the context keys AWS derives from each. */
export const PRINCIPALS = [
  {
    arn: `arn:aws:iam::${ACCOUNT_A}:user/alice`,
    account: ACCOUNT_A,
    principalArn: `arn:aws:iam::${ACCOUNT_A}:user/alice`,
    username: 'alice',
  },
  {
    arn: `arn:aws:sts::${ACCOUNT_A}:assumed-role/app/s1`,
    account: ACCOUNT_A,
    principalArn: `arn:aws:iam::${ACCOUNT_A}:role/app`,
  },
  {
    arn: `arn:aws:iam::${ACCOUNT_B}:user/bob`,
    account: ACCOUNT_B,
    principalArn: `arn:aws:iam::${ACCOUNT_B}:user/bob`,
    username: 'bob',
  },
  {
    arn: `arn:aws:sts::${ACCOUNT_B}:assumed-role/ops/s2`,
    account: ACCOUNT_B,
    principalArn: `arn:aws:iam::${ACCOUNT_B}:role/ops`,
  },
] as const;

/** Actions with a resource ARN maker; S3 ARNs carry no account, so the request names it. */
const ACTIONS: Array<{ action: string; resource: (account: string, name: string) => string; accountless?: boolean }> = [
  { action: 's3:GetObject', resource: (_a, n) => `arn:aws:s3:::bucket-x/${n}`, accountless: true },
  { action: 's3:PutObject', resource: (_a, n) => `arn:aws:s3:::bucket-x/${n}`, accountless: true },
  {
    action: 's3:ListBucket',
    resource: (_a, n) => `arn:aws:s3:::${n === 'alice' ? 'bucket-x' : 'bucket-y'}`,
    accountless: true,
  },
  { action: 'sts:AssumeRole', resource: (a, n) => `arn:aws:iam::${a}:role/${n}` },
  { action: 'iam:GetRole', resource: (a, n) => `arn:aws:iam::${a}:role/${n}` },
  { action: 'sqs:SendMessage', resource: (a, n) => `arn:aws:sqs:us-east-1:${a}:${n}` },
  { action: 'ec2:StartInstances', resource: (a, n) => `arn:aws:ec2:us-east-1:${a}:instance/${n}` },
  { action: 'dynamodb:GetItem', resource: (a, n) => `arn:aws:dynamodb:eu-west-1:${a}:table/${n}` },
  { action: 'kms:Decrypt', resource: (a, n) => `arn:aws:kms:us-east-1:${a}:key/${n}` },
];
const NAMES = ['alice', 'Orders', 'app'];

/** Typed global condition keys with their request values and policy values. */
const KEYS = {
  string: {
    keys: ['aws:PrincipalTag/team', 'aws:RequestTag/env', 'aws:SourceAccount'],
    request: ['blue', 'Blue', 'red', 'prod', ACCOUNT_A, 'alice'],
    policy: [
      'blue',
      'BLUE',
      'bl*',
      '?lue',
      'red',
      'prod',
      '*',
      ACCOUNT_A,
      '${aws:username}',
      '${aws:PrincipalTag/team}',
      "${aws:PrincipalTag/dept, 'blue'}",
      'b${*}',
    ],
    ops: [
      'StringEquals',
      'StringNotEquals',
      'StringEqualsIgnoreCase',
      'StringNotEqualsIgnoreCase',
      'StringLike',
      'StringNotLike',
    ],
  },
  multi: {
    keys: ['aws:TagKeys'],
    request: ['env', 'team', 'cost'],
    policy: ['env', 'team', 't*', 'Env'],
    ops: ['StringEquals', 'StringNotEquals', 'StringLike', 'StringNotLike', 'StringEqualsIgnoreCase'],
  },
  ip: {
    keys: ['aws:SourceIp'],
    request: ['10.1.2.3', '192.0.2.10', '203.0.113.5', '2001:db8::1'],
    policy: ['10.0.0.0/8', '192.0.2.0/24', '192.0.2.10', '2001:db8::/32', '0.0.0.0/0'],
    ops: ['IpAddress', 'NotIpAddress'],
  },
  date: {
    keys: ['aws:CurrentTime', 'aws:TokenIssueTime'],
    request: ['2024-01-01T00:00:00Z', '2025-06-15T12:00:00Z', '2026-12-31T23:59:59Z'],
    policy: ['2024-01-01T00:00:00Z', '2025-01-01T00:00:00Z', '2026-12-31T23:59:59Z'],
    ops: [
      'DateEquals',
      'DateNotEquals',
      'DateLessThan',
      'DateLessThanEquals',
      'DateGreaterThan',
      'DateGreaterThanEquals',
    ],
  },
  numeric: {
    keys: ['aws:MultiFactorAuthAge'],
    request: ['0', '100', '3600'],
    policy: ['100', '3600', '50.5'],
    ops: [
      'NumericEquals',
      'NumericNotEquals',
      'NumericLessThan',
      'NumericLessThanEquals',
      'NumericGreaterThan',
      'NumericGreaterThanEquals',
    ],
  },
  bool: {
    keys: ['aws:SecureTransport', 'aws:MultiFactorAuthPresent'],
    request: ['true', 'false'],
    policy: ['true', 'false'],
    ops: ['Bool'],
  },
  arn: {
    keys: ['aws:SourceArn'],
    request: [`arn:aws:sns:us-east-1:${ACCOUNT_A}:topic`, `arn:aws:sqs:eu-west-1:${ACCOUNT_B}:queue`],
    policy: [
      `arn:aws:sns:us-east-1:${ACCOUNT_A}:topic`,
      `arn:aws:sns:*:${ACCOUNT_A}:*`,
      'arn:aws:*:*:*:queue',
      `arn:aws:sqs:eu-west-1:${ACCOUNT_B}:q?eue`,
    ],
    ops: ['ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike'],
  },
} as const;
type KeyFamily = keyof typeof KEYS;
const FAMILIES = Object.keys(KEYS) as KeyFamily[];

const conditionArb: fc.Arbitrary<[string, string, string[]]> = fc.constantFrom(...FAMILIES).chain((family) => {
  const f = KEYS[family];
  const setPrefix =
    family === 'multi'
      ? fc.constantFrom('ForAllValues:', 'ForAnyValue:', 'ForAnyValue:', '')
      : fc.constantFrom('', '', '', 'ForAnyValue:', 'ForAllValues:');
  const op = fc
    .tuple(setPrefix, fc.constantFrom(...f.ops), fc.constantFrom('', '', 'IfExists'))
    .map(([s, o, i]) => `${s}${o}${i}`);
  const nullOp = fc.constant('Null');
  return fc
    .tuple(
      fc.oneof({ weight: 9, arbitrary: op }, { weight: 1, arbitrary: nullOp }),
      fc.constantFrom(...f.keys),
      fc.uniqueArray(fc.constantFrom(...f.policy), { minLength: 1, maxLength: 2 }),
    )
    .map(([o, k, v]): [string, string, string[]] =>
      o === 'Null' ? [o, k, [v.length > 1 ? 'false' : 'true']] : [o, k, v],
    );
});

const conditionBlockArb = fc
  .oneof(
    { weight: 2, arbitrary: fc.constant([]) },
    { weight: 3, arbitrary: fc.array(conditionArb, { minLength: 1, maxLength: 2 }) },
  )
  .map((list) => {
    const block: Record<string, Record<string, string[]>> = {};
    for (const [op, key, values] of list) (block[op] ??= {})[key] = values;
    return block;
  });

const actionPatternArb = fc.constantFrom(
  '*',
  '*',
  '*',
  's3:*',
  'sts:AssumeRole',
  'kms:*',
  'sqs:*',
  'iam:*',
  'ec2:*',
  'dynamodb:*',
  's3:*',
  's3:Get*',
  's3:GetObject',
  's3:PutObject',
  'S3:listbucket',
  'sts:AssumeRole',
  'sts:*',
  'iam:Get*',
  'sqs:SendMessage',
  'ec2:Start*',
  'ec2:StartInstances',
  'dynamodb:GetItem',
  'kms:*',
  'kms:Decrypt',
  's3:*Object',
  'iam:GetRol?',
);
const resourcePatternArb = fc.constantFrom(
  '*',
  '*',
  '*',
  '*',
  'arn:aws:s3:::bucket-x/*',
  'arn:aws:s3:::bucket-x/alice',
  'arn:aws:s3:::bucket-x/${aws:username}',
  'arn:aws:s3:::bucket-?',
  'arn:aws:s3:::*',
  `arn:aws:iam::${ACCOUNT_A}:role/*`,
  `arn:aws:iam::*:role/app`,
  'arn:aws:sqs:*:*:*',
  `arn:aws:sqs:us-east-1:${ACCOUNT_B}:Orders`,
  `arn:aws:ec2:*:${ACCOUNT_A}:instance/*`,
  'arn:aws:dynamodb:eu-west-1:*:table/Orders',
  'arn:aws:kms:*:*:key/*',
  `arn:aws:kms:us-east-1:${ACCOUNT_B}:key/app`,
  'arn:aws:*:*:*:*',
  'arn:aws:iam::*:role/${aws:PrincipalTag/team}',
);
const principalElementArb = fc.constantFrom<unknown>(
  '*',
  { AWS: `arn:aws:iam::${ACCOUNT_A}:root` },
  { AWS: ACCOUNT_B },
  { AWS: '*' },
  { AWS: ACCOUNT_A },
  { AWS: `arn:aws:iam::${ACCOUNT_B}:root` },
  { AWS: PRINCIPALS[0].arn },
  { AWS: `arn:aws:iam::${ACCOUNT_A}:role/app` },
  { AWS: PRINCIPALS[1].arn },
  { AWS: [PRINCIPALS[2].arn, ACCOUNT_A] },
  { AWS: `arn:aws:iam::${ACCOUNT_B}:role/ops` },
  { Service: 'ec2.amazonaws.com' },
);

function statementArb(withPrincipal: boolean): fc.Arbitrary<PolicyStatement> {
  return fc
    .record({
      effect: fc.constantFrom<'Allow' | 'Deny'>('Allow', 'Allow', 'Deny'),
      notAction: fc.integer({ min: 0, max: 9 }).map((n) => n < 2),
      actions: fc.uniqueArray(actionPatternArb, { minLength: 1, maxLength: 3 }),
      notResource: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
      resources: fc.uniqueArray(resourcePatternArb, { minLength: 1, maxLength: 3 }),
      principal: principalElementArb,
      notPrincipal: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
      condition: conditionBlockArb,
    })
    .map((r) => {
      const s: Record<string, unknown> = { Effect: r.effect };
      s[r.notAction ? 'NotAction' : 'Action'] = r.actions;
      s[r.notResource ? 'NotResource' : 'Resource'] = r.resources;
      if (withPrincipal) s[r.notPrincipal && r.effect === 'Deny' ? 'NotPrincipal' : 'Principal'] = r.principal;
      if (Object.keys(r.condition).length > 0) s.Condition = r.condition;
      return s as unknown as PolicyStatement;
    });
}

function policyArb(withPrincipal = false): fc.Arbitrary<PolicyDocument> {
  return fc
    .array(statementArb(withPrincipal), { minLength: 1, maxLength: 3 })
    .map((Statement) => ({ Version: '2012-10-17', Statement }));
}

/** RCPs: Deny statements with `Principal: "*"` only (AWS Organizations User Guide, "RCP syntax"). */
const rcpPolicyArb: fc.Arbitrary<PolicyDocument> = fc
  .array(statementArb(true), { minLength: 1, maxLength: 2 })
  .map((list) => ({
    Version: '2012-10-17',
    Statement: list.map((s) => {
      const { NotPrincipal: _np, NotAction, ...rest } = s;
      const actions = [rest.Action ?? NotAction ?? []].flat().filter((a) => a !== '*');
      return {
        ...rest,
        Action: actions.length > 0 ? actions : ['s3:*'],
        Effect: 'Deny' as const,
        Principal: '*' as const,
      };
    }),
  }));

/** `arb` with probability `p`, else null. */
function sometimes<T>(arb: fc.Arbitrary<T>, p: number): fc.Arbitrary<T | null> {
  const w = Math.round(p * 100);
  return fc.oneof({ weight: 100 - w, arbitrary: fc.constant(null) }, { weight: w, arbitrary: arb });
}

/** One generated case: a request plus the policies that apply to it. */
export interface GeneratedCase {
  request: EvaluationRequest;
  policies: PolicySet;
}

const contextArb = fc
  .record({
    string: fc.array(fc.tuple(fc.constantFrom(...KEYS.string.keys), fc.constantFrom(...KEYS.string.request)), {
      maxLength: 2,
    }),
    multi: sometimes(fc.uniqueArray(fc.constantFrom(...KEYS.multi.request), { maxLength: 3 }), 0.5),
    ip: sometimes(fc.constantFrom(...KEYS.ip.request), 0.5),
    date: fc.array(fc.tuple(fc.constantFrom(...KEYS.date.keys), fc.constantFrom(...KEYS.date.request)), {
      maxLength: 2,
    }),
    numeric: sometimes(fc.constantFrom(...KEYS.numeric.request), 0.5),
    bool: fc.array(fc.tuple(fc.constantFrom(...KEYS.bool.keys), fc.constantFrom(...KEYS.bool.request)), {
      maxLength: 2,
    }),
    arn: sometimes(fc.constantFrom(...KEYS.arn.request), 0.5),
    multiAsString: fc.boolean(),
  })
  .map((c) => {
    const ctx: Record<string, string | string[]> = {};
    for (const [k, v] of [...c.string, ...c.date, ...c.bool]) ctx[k] = v;
    if (c.multi) ctx['aws:TagKeys'] = c.multiAsString && c.multi.length === 1 ? c.multi[0]! : c.multi;
    if (c.ip) ctx['aws:SourceIp'] = c.ip;
    if (c.numeric) ctx['aws:MultiFactorAuthAge'] = c.numeric;
    if (c.arn) ctx['aws:SourceArn'] = c.arn;
    return ctx;
  });

/**
 * A grant aimed at the request, added to some cases: without it Allowed is rare (about 6% of cases, and an
 * allow through both an identity and a resource policy about one in a thousand), since a random Allow must
 * match the action, the resource and the conditions, and no other policy may stand in the way.
 */
const aimedGrantArb = fc.record({
  /** Where the grant goes: an identity policy, the resource policy (naming the caller's account or ARN), or both. */
  to: fc.constantFrom<'identity' | 'resource' | 'both'>('identity', 'resource', 'both', 'both'),
  /** The action as requested, or its service's wildcard. */
  action: fc.constantFrom<'exact' | 'service'>('exact', 'service'),
  /** The resource policy names the caller's account (a grant to the account) or the caller's own ARN. */
  principal: fc.constantFrom<'account' | 'arn'>('account', 'account', 'arn'),
  condition: conditionBlockArb,
});
type AimedGrant = typeof aimedGrantArb extends fc.Arbitrary<infer T> ? T : never;

/** Adds `grant` for `request` to `policies`: an Allow statement for exactly its action and resource. */
function addAimedGrant(grant: AimedGrant, request: EvaluationRequest, account: string, policies: PolicySet): void {
  const statement: Record<string, unknown> = {
    Effect: 'Allow',
    Action: grant.action === 'exact' ? request.action : `${request.action.split(':')[0]}:*`,
    Resource: request.resource,
  };
  if (Object.keys(grant.condition).length > 0) statement.Condition = grant.condition;
  if (grant.to !== 'resource')
    policies.identityPolicies = [
      ...(policies.identityPolicies ?? []),
      { Version: '2012-10-17', Statement: [statement as unknown as PolicyStatement] },
    ];
  if (grant.to !== 'identity') {
    const principal = { AWS: grant.principal === 'account' ? account : request.principal.arn };
    const resourceStatement = { ...statement, Principal: principal } as unknown as PolicyStatement;
    policies.resourcePolicy = {
      Version: '2012-10-17',
      Statement: [...(policies.resourcePolicy?.Statement ?? []), resourceStatement],
    };
  }
}

/** A request and its policies. The context carries the keys AWS derives from the principal, for both evaluators. */
export const caseArb: fc.Arbitrary<GeneratedCase> = fc
  .record({
    principal: fc.constantFrom(
      PRINCIPALS[0],
      PRINCIPALS[0],
      PRINCIPALS[1],
      PRINCIPALS[1],
      PRINCIPALS[1],
      PRINCIPALS[2],
      PRINCIPALS[3],
    ),
    action: fc.constantFrom(...ACTIONS),
    name: fc.constantFrom(...NAMES),
    resourceAccount: fc.constantFrom(ACCOUNT_A, ACCOUNT_A, ACCOUNT_B),
    context: contextArb,
    identity: fc.array(policyArb(), { minLength: 0, maxLength: 3 }),
    resource: sometimes(policyArb(true), 0.5),
    boundary: sometimes(policyArb(), 0.25),
    session: sometimes(policyArb(), 0.3),
    scp: sometimes(
      fc.array(fc.array(policyArb(), { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 2 }),
      0.2,
    ),
    rcp: sometimes(
      fc.array(fc.array(rcpPolicyArb, { minLength: 1, maxLength: 1 }), { minLength: 1, maxLength: 2 }),
      0.15,
    ),
    grant: sometimes(aimedGrantArb, 0.5),
  })
  .map((g): GeneratedCase => {
    const context: Record<string, string | string[]> = {
      ...g.context,
      'aws:PrincipalArn': g.principal.principalArn,
      'aws:PrincipalAccount': g.principal.account,
    };
    if ('username' in g.principal) context['aws:username'] = g.principal.username;
    const request: EvaluationRequest = {
      principal: { arn: g.principal.arn },
      action: g.action.action,
      resource: g.action.resource(g.resourceAccount, g.name),
      resourceAccountId: g.resourceAccount,
      context,
    };
    const policies: PolicySet = { identityPolicies: g.identity };
    if (g.resource) policies.resourcePolicy = g.resource;
    if (g.boundary) policies.permissionsBoundary = g.boundary;
    if (g.session && g.principal.arn.includes(':assumed-role/')) policies.sessionPolicies = [g.session];
    if (g.scp) policies.serviceControlPolicies = g.scp;
    if (g.rcp) policies.resourceControlPolicies = g.rcp;
    if (g.grant) addAimedGrant(g.grant, request, g.principal.account, policies);
    return { request, policies };
  });

/** Trust-policy scenarios: sts:AssumeRole by users, sessions and services against trust policies. */
const TRUST_CALLERS = [
  {
    arn: PRINCIPALS[1].arn,
    type: 'AWS' as const,
    context: { 'aws:PrincipalArn': PRINCIPALS[1].principalArn, 'aws:PrincipalAccount': ACCOUNT_A },
  },
  {
    arn: PRINCIPALS[0].arn,
    type: 'AWS' as const,
    context: {
      'aws:PrincipalArn': PRINCIPALS[0].principalArn,
      'aws:PrincipalAccount': ACCOUNT_A,
      'aws:username': 'alice',
    },
  },
  {
    arn: PRINCIPALS[3].arn,
    type: 'AWS' as const,
    context: { 'aws:PrincipalArn': PRINCIPALS[3].principalArn, 'aws:PrincipalAccount': ACCOUNT_B },
  },
  { arn: 'ec2.amazonaws.com', type: 'Service' as const, context: {} },
  { arn: 'lambda.amazonaws.com', type: 'Service' as const, context: {} },
];
const trustPrincipalArb = fc.constantFrom<unknown>(
  { AWS: `arn:aws:iam::${ACCOUNT_A}:root` },
  { AWS: ACCOUNT_A },
  { AWS: ACCOUNT_B },
  { AWS: `arn:aws:iam::${ACCOUNT_A}:role/app` },
  { AWS: PRINCIPALS[1].arn },
  { AWS: PRINCIPALS[0].arn },
  { AWS: `arn:aws:iam::${ACCOUNT_B}:role/ops` },
  { AWS: '*' },
  '*',
  { Service: 'ec2.amazonaws.com' },
  { Service: ['lambda.amazonaws.com', 'ec2.amazonaws.com'] },
  { AWS: [ACCOUNT_B, `arn:aws:iam::${ACCOUNT_A}:role/app`] },
);
const trustConditionArb = fc.constantFrom<Record<string, Record<string, string | string[]>> | undefined>(
  undefined,
  undefined,
  { StringEquals: { 'sts:ExternalId': 'tg-1' } },
  { StringEquals: { 'sts:ExternalId': ['tg-1', 'tg-2'] } },
  { StringLike: { 'sts:ExternalId': 'tg-*' } },
  { StringEquals: { 'aws:SourceAccount': ACCOUNT_A } },
  { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT_A}:role/*` } },
  { Null: { 'sts:ExternalId': 'false' } },
  { StringNotEquals: { 'aws:PrincipalAccount': ACCOUNT_B } },
);
const trustStatementArb = fc
  .record({
    effect: fc.constantFrom<'Allow' | 'Deny'>('Allow', 'Allow', 'Allow', 'Deny'),
    principal: trustPrincipalArb,
    action: fc.constantFrom<string | string[]>(
      'sts:AssumeRole',
      'sts:AssumeRole',
      ['sts:AssumeRole', 'sts:TagSession'],
      'sts:*',
      'sts:AssumeRoleWithWebIdentity',
    ),
    condition: trustConditionArb,
  })
  .map((r) => {
    const s: Record<string, unknown> = { Effect: r.effect, Principal: r.principal, Action: r.action };
    if (r.condition) s.Condition = r.condition;
    return s as unknown as PolicyStatement;
  });

/** A caller assuming a role, with the role's trust policy and the caller's identity policies. */
export const trustCaseArb: fc.Arbitrary<GeneratedCase> = fc
  .record({
    caller: fc.constantFrom(...TRUST_CALLERS),
    roleAccount: fc.constantFrom(ACCOUNT_A, ACCOUNT_B, ACCOUNT_B),
    externalId: fc.constantFrom<string | undefined>(undefined, 'tg-1', 'tg-2', 'tg-3'),
    sourceAccount: fc.constantFrom<string | undefined>(undefined, ACCOUNT_A, ACCOUNT_B),
    trust: fc.array(trustStatementArb, { minLength: 1, maxLength: 3 }),
    identity: fc.constantFrom<PolicyDocument[]>(
      [],
      [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] }],
      [
        {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: `arn:aws:iam::${ACCOUNT_B}:role/*` }],
        },
      ],
      [
        {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: 'sts:*', Resource: '*' },
            { Effect: 'Deny', Action: 'sts:AssumeRole', Resource: `arn:aws:iam::${ACCOUNT_A}:role/*` },
          ],
        },
      ],
    ),
    boundary: sometimes(
      fc.constantFrom<PolicyDocument>(
        { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] },
        { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] },
      ),
      0.2,
    ),
  })
  .map((g): GeneratedCase => {
    const context: Record<string, string | string[]> = { ...(g.caller.context as Record<string, string>) };
    if (g.externalId) context['sts:ExternalId'] = g.externalId;
    if (g.sourceAccount && g.caller.type === 'Service') context['aws:SourceAccount'] = g.sourceAccount;
    const isAws = g.caller.type === 'AWS';
    const request: EvaluationRequest = {
      principal: { arn: g.caller.arn, ...(isAws ? {} : { type: g.caller.type }) },
      action: 'sts:AssumeRole',
      resource: `arn:aws:iam::${g.roleAccount}:role/target`,
      resourceAccountId: g.roleAccount,
      context,
    };
    const policies: PolicySet = {
      identityPolicies: isAws ? g.identity : [],
      resourcePolicy: { Version: '2012-10-17', Statement: g.trust },
    };
    if (g.boundary && isAws) policies.permissionsBoundary = g.boundary;
    return { request, policies };
  });
