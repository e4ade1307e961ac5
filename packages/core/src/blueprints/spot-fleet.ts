import { assertNoErrors, parseArn, validateAccountId } from '../arn/index.ts';
import { TrustgateError } from '../errors/index.ts';
import type { PolicyDocument } from '../policy-document/index.ts';
import type { DeliverableModel } from '../templates/index.ts';
import { buildTrustPolicy, servicePrincipal } from '../trust/index.ts';
import type { BlueprintOptions } from './blueprint-options.ts';

/** The tagging role's name as the EC2 console creates it. */
export const SPOT_FLEET_TAGGING_ROLE_NAME = 'aws-ec2-spot-fleet-tagging-role';

/**
 * The Spot Fleet set, as Amazon EC2 User Guide "Spot Fleet permissions" describes it:
 * - service-linked roles AWSServiceRoleForEC2SpotFleet (`spotfleet.amazonaws.com`) and AWSServiceRoleForEC2Spot
 *   (`spot.amazonaws.com`), each switchable because creating one that exists fails;
 * - `aws-ec2-spot-fleet-tagging-role`, trusting Spot Fleet with the confused-deputy conditions `aws:SourceAccount`
 *   and `aws:SourceArn` (`arn:<p>:ec2:<region|*>:<account>:spot-fleet-request/sfr-*` or one fleet), with AWS's
 *   managed policy `service-role/AmazonEC2SpotFleetTaggingRole`;
 * - the user policy (RunInstances, CreateTags, the Spot Fleet APIs, iam:PassRole for the tagging role only,
 *   iam:CreateServiceLinkedRole for the two services only, ListRoles, ListInstanceProfiles);
 * - the KMS `create-grant` step for encrypted AMIs and EBS snapshots, left as a manual step because the key
 *   is the customer's.
 */
export function spotFleetBlueprint(options: BlueprintOptions): DeliverableModel {
  const partition = options.partition;
  const account = options.customerAccountId;
  if (!account)
    throw new TrustgateError(
      'INVALID_INPUT',
      "customerAccountId: the tagging role's confused-deputy conditions name the customer's account",
      { field: 'customerAccountId' },
    );
  assertNoErrors(validateAccountId(account, 'customerAccountId'));
  const sourceArn = options.spotFleetSourceArn ?? {
    scope: 'account' as const,
    service: 'ec2',
    resource: 'spot-fleet-request/sfr-*',
  };
  const trust = buildTrustPolicy({
    partition,
    principals: [{ type: 'service', service: 'spotfleet', confusedDeputy: { sourceAccount: account, sourceArn } }],
    ...(options.maxTrustPolicySize !== undefined ? { maxSize: options.maxTrustPolicySize } : {}),
  });
  const spotFleet = servicePrincipal('spotfleet', partition).principal;
  const spot = servicePrincipal('spot', partition).principal;
  const userPolicy: PolicyDocument = {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'SpotFleet',
        Effect: 'Allow',
        Action: [
          'ec2:RunInstances',
          'ec2:CreateTags',
          'ec2:RequestSpotFleet',
          'ec2:ModifySpotFleetRequest',
          'ec2:CancelSpotFleetRequests',
          'ec2:DescribeSpotFleetRequests',
          'ec2:DescribeSpotFleetInstances',
          'ec2:DescribeSpotFleetRequestHistory',
        ],
        Resource: '*',
      },
      {
        Sid: 'PassTaggingRole',
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: `arn:${partition}:iam::${account}:role/${SPOT_FLEET_TAGGING_ROLE_NAME}`,
      },
      {
        Sid: 'CreateSpotServiceLinkedRoles',
        Effect: 'Allow',
        Action: 'iam:CreateServiceLinkedRole',
        Resource: '*',
        Condition: { StringEquals: { 'iam:AWSServiceName': [spotFleet, spot] } },
      },
      {
        Sid: 'ListRolesAndProfiles',
        Effect: 'Allow',
        Action: ['iam:ListRoles', 'iam:ListInstanceProfiles'],
        Resource: '*',
      },
    ],
  };
  let kmsKey = '<KMS_KEY_ARN>';
  let kmsRegion = '<REGION>';
  if (options.kmsKeyArn !== undefined) {
    const parsed = parseArn(options.kmsKeyArn, 'kmsKeyArn');
    if (!parsed.ok) assertNoErrors(parsed.findings);
    else if (
      parsed.arn.partition !== partition ||
      parsed.arn.service !== 'kms' ||
      !parsed.arn.resource.startsWith('key/')
    ) {
      throw new TrustgateError(
        'INVALID_ARN',
        `kmsKeyArn: must be a KMS key ARN (arn:${partition}:kms:<region>:<account>:key/<id>)`,
        { field: 'kmsKeyArn' },
      );
    } else {
      kmsKey = options.kmsKeyArn;
      kmsRegion = parsed.arn.region;
    }
  }
  const slrArn = `arn:${partition}:iam::${account}:role/aws-service-role/${spotFleet}/AWSServiceRoleForEC2SpotFleet`;
  return {
    blueprint: 'spot-fleet',
    description:
      'Spot Fleet roles: service-linked roles, the tagging role with confused-deputy conditions, and the user policy.',
    partition,
    customerAccountId: account,
    parameters: [
      {
        name: 'CreateSpotFleetServiceLinkedRole',
        description: 'Create AWSServiceRoleForEC2SpotFleet ("false" if the account already has it).',
        value: 'true',
        allowedValues: ['true', 'false'],
      },
      {
        name: 'CreateSpotServiceLinkedRole',
        description: 'Create AWSServiceRoleForEC2Spot ("false" if the account already has it).',
        value: 'true',
        allowedValues: ['true', 'false'],
      },
    ],
    resources: [
      {
        kind: 'service-linked-role',
        id: 'SpotFleetServiceLinkedRole',
        awsServiceName: spotFleet,
        roleName: 'AWSServiceRoleForEC2SpotFleet',
        createParameter: 'CreateSpotFleetServiceLinkedRole',
      },
      {
        kind: 'service-linked-role',
        id: 'SpotServiceLinkedRole',
        awsServiceName: spot,
        roleName: 'AWSServiceRoleForEC2Spot',
        createParameter: 'CreateSpotServiceLinkedRole',
      },
      {
        kind: 'role',
        id: 'SpotFleetTaggingRole',
        roleName: SPOT_FLEET_TAGGING_ROLE_NAME,
        path: '/',
        description: 'Lets Spot Fleet tag fleet requests, instances and volumes (confused-deputy protected).',
        trustPolicy: trust.document,
        attachedPolicyArns: [`arn:${partition}:iam::aws:policy/service-role/AmazonEC2SpotFleetTaggingRole`],
      },
      {
        kind: 'managed-policy',
        id: 'SpotFleetUserPolicy',
        policyName: 'SpotFleetUserPolicy',
        description: 'Lets a user or role create and manage Spot Fleets.',
        document: userPolicy,
        attachTo: [],
      },
    ],
    outputs: [
      {
        name: 'TaggingRoleArn',
        description: 'Pass this role as IamFleetRole in Spot Fleet requests.',
        from: { id: 'SpotFleetTaggingRole', attribute: 'Arn' },
      },
      {
        name: 'UserPolicyArn',
        description: 'Attach this policy to the users or roles that manage Spot Fleets.',
        from: { id: 'SpotFleetUserPolicy', attribute: 'Arn' },
      },
    ],
    notes: [
      'Attach SpotFleetUserPolicy to the users or roles that request Spot Fleets.',
      'Encrypted AMIs or EBS snapshots with a customer managed KMS key need the create-grant step for AWSServiceRoleForEC2SpotFleet.',
      ...trust.warnings.map((w) => w.message),
    ],
    manualSteps: [
      {
        title: 'Let Spot Fleet use your customer managed KMS key (only for encrypted AMIs or EBS snapshots)',
        command: [
          `aws kms create-grant --region ${kmsRegion} \\`,
          `  --key-id ${kmsKey} \\`,
          `  --grantee-principal ${slrArn} \\`,
          '  --operations "Decrypt" "Encrypt" "GenerateDataKey" "GenerateDataKeyWithoutPlaintext" "CreateGrant" "DescribeKey" "ReEncryptFrom" "ReEncryptTo"',
        ].join('\n'),
      },
    ],
  };
}
