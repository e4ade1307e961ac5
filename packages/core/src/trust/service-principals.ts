import { TrustgateError } from '../errors/index.ts';
import type { Partition } from '../partition/index.ts';

/** One row of the China service-principal table, with where the fact comes from. */
export interface ChinaServicePrincipalFact {
  /** The principal IAM accepts in `aws-cn`. */
  principal: string;
  /** Where this was observed (issue or pull request where IAM accepted or rejected the other form). */
  sources: string[];
}

/**
 * Service principals in the China partition are inconsistent: some services take `<service>.amazonaws.com.cn`,
 * others reject it with `MalformedPolicyDocument: Invalid principal in policy`. AWS publishes no complete list,
 * so this table holds only what has been observed, each with its source. Services not listed get
 * `<service>.amazonaws.com` (the form AWS documents as usual, IAM User Guide "AWS service principals"), and
 * {@link servicePrincipal} marks them `verified: false` so callers can warn.
 */
export const CHINA_SERVICE_PRINCIPALS: Readonly<Record<string, ChinaServicePrincipalFact>> = {
  ec2: {
    principal: 'ec2.amazonaws.com.cn',
    sources: [
      'aws/aws-cdk#24709 (IAM console in China shows ec2.amazonaws.com.cn)',
      'aws/aws-cdk#1282 (ec2.amazonaws.com rejected in cn-northwest-1)',
      'hashicorp/terraform-provider-aws#46209, fixed by #47141',
      'awslabs/cdk-eks-blueprints#558 (EKS requires ec2.amazonaws.com.cn in the node role trust)',
    ],
  },
  s3: {
    principal: 's3.amazonaws.com.cn',
    sources: ['hashicorp/terraform-provider-aws#46209, fixed by #47141'],
  },
  elasticmapreduce: {
    principal: 'elasticmapreduce.amazonaws.com.cn',
    sources: [
      'aws/aws-cdk#31767 (EMR fails with elasticmapreduce.amazonaws.com in aws-cn)',
      'aws/aws-cdk#19867',
      'aws/aws-cdk#20014',
    ],
  },
  lambda: {
    principal: 'lambda.amazonaws.com',
    sources: ['aws/aws-cdk#2198 (lambda.amazonaws.com.cn rejected: Invalid principal in policy)'],
  },
  rds: {
    principal: 'rds.amazonaws.com',
    sources: [
      'terraform-aws-modules/terraform-aws-rds-proxy#32 (rds.amazonaws.com.cn rejected)',
      'hashicorp/terraform-provider-aws#42642',
    ],
  },
  spotfleet: {
    principal: 'spotfleet.amazonaws.com',
    sources: [
      'AWS Batch User Guide (China), "Create Amazon EC2 spot fleet roles with the Amazon CLI" (docs.amazonaws.cn/en_us/batch/latest/userguide/spot-fleet-roles-cli.html): trust names spotfleet.amazonaws.com with arn:aws-cn:iam::aws:policy/service-role/AmazonEC2SpotFleetTaggingRole',
    ],
  },
  'ecs-tasks': {
    principal: 'ecs-tasks.amazonaws.com',
    sources: ['terraform-aws-modules/terraform-aws-ecs#124 (ecs-tasks.amazonaws.com.cn rejected)'],
  },
};

/** A service principal for a partition, and whether the China form was observed or assumed. */
export interface ServicePrincipalResult {
  principal: string;
  /** False when the partition is `aws-cn` and the service is not in {@link CHINA_SERVICE_PRINCIPALS}. */
  verified: boolean;
  sources: string[];
}

/**
 * The service principal to put in a trust policy for `service` (`ec2`, `spotfleet`, or a full
 * `spotfleet.amazonaws.com`) in `partition`. Commercial and GovCloud use `<service>.amazonaws.com`; China
 * follows {@link CHINA_SERVICE_PRINCIPALS}.
 */
export function servicePrincipal(service: string, partition: Partition): ServicePrincipalResult {
  const name = service.replace(/\.amazonaws\.com(?:\.cn)?$/, '');
  if (!/^[a-z0-9][a-z0-9.-]*$/.test(name)) {
    throw new TrustgateError(
      'INVALID_INPUT',
      `service: "${service}" is not a service name such as "ec2" or "spotfleet.amazonaws.com"`,
      { field: 'service' },
    );
  }
  if (partition !== 'aws-cn')
    return {
      principal: `${name}.amazonaws.com`,
      verified: true,
      sources: ['IAM User Guide, "AWS service principals"'],
    };
  const fact = CHINA_SERVICE_PRINCIPALS[name];
  if (fact) return { principal: fact.principal, verified: true, sources: fact.sources };
  return { principal: `${name}.amazonaws.com`, verified: false, sources: [] };
}
