/**
 * Every difference between the sandbox and moto found by the conformance suite, with the reason
 * (AWS's documented behaviour). Keys are `<scenario>.<step>: <difference>` exactly as the suite prints them.
 * The README's "Differences from moto" table mirrors this list.
 */
const CASCADE = 'Consequence of the previous step: moto accepted a call AWS rejects, so the states differ afterwards.';
const DRIFT =
  'AWS returns DriftInformation (StackDriftStatus / StackResourceDriftStatus NOT_CHECKED until drift detection runs); moto omits it.';

export const KNOWN_DIFFERENCES: Record<string, string> = {
  'sts.AssumeRole: missing in sandbox: PackedPolicySize:number':
    'STS API reference: PackedPolicySize is "the packed size of the session policies and session tags combined passed in the request"; the sandbox returns it only when a Policy, PolicyArns or Tags were passed. moto always returns it.',
  'sts.AssumeRole.shortDuration: sandbox failed ValidationError 400, moto succeeded':
    'STS API reference, AssumeRole: DurationSeconds minimum 900; AWS answers ValidationError. moto does not validate it.',
  'sts.AssumeRole.badSessionName: sandbox failed ValidationError 400, moto succeeded':
    'STS API reference, AssumeRole: RoleSessionName pattern [\\w+=,.@-]*; a space is a ValidationError. moto does not validate it.',
  'iam-roles.CreateRole.malformed: sandbox failed MalformedPolicyDocumentException 400, moto succeeded':
    'IAM API reference, CreateRole: an invalid AssumeRolePolicyDocument is MalformedPolicyDocument. moto stores trust policies unchecked.',
  'iam-managed-policies.CreatePolicy: only in sandbox: Policy.PermissionsBoundaryUsageCount:number':
    'IAM API reference, Policy data type: PermissionsBoundaryUsageCount is part of the Policy structure; moto omits it.',
  'iam-managed-policies.GetPolicy: only in sandbox: Policy.PermissionsBoundaryUsageCount:number':
    'IAM API reference, GetPolicy example response includes PermissionsBoundaryUsageCount; moto omits it.',
  'iam-managed-policies.CreatePolicyVersion: missing in sandbox: PolicyVersion.Document:string':
    'IAM API reference, PolicyVersion: "The policy document ... is not returned in the response to the CreatePolicyVersion or ListPolicyVersions operations." moto returns it.',
  'iam-managed-policies.ListPolicyVersions: missing in sandbox: Versions[].Document:string':
    'Same rule as CreatePolicyVersion: ListPolicyVersions does not return the document.',
  'iam-managed-policies.ListPolicyVersions: only in sandbox: IsTruncated:boolean':
    'IAM API reference, ListPolicyVersions response: IsTruncated is always returned for paginated lists; moto omits it.',
  'iam-managed-policies.DeletePolicy.attached: sandbox failed DeleteConflictException 409, moto succeeded':
    'IAM API reference, DeletePolicy: "you must detach the policy from all users, groups, and roles that it is attached to" — DeleteConflict. moto deletes an attached policy.',
  'iam-managed-policies.DetachRolePolicy: sandbox succeeded, moto failed NoSuchEntityException 404': CASCADE,
  'iam-managed-policies.DeletePolicy: sandbox succeeded, moto failed NoSuchEntityException 404': CASCADE,
  'iam-managed-policies.AttachRolePolicy.awsManaged: sandbox succeeded, moto failed NoSuchEntityException 404':
    'arn:aws:iam::aws:policy/ReadOnlyAccess exists in every AWS account. moto 5 does not load AWS managed policies unless configured to.',
  'iam-users.ListAccessKeys: only in sandbox: IsTruncated:boolean':
    'IAM API reference, ListAccessKeys response: IsTruncated is returned (false when complete); moto omits it.',
  'iam-users.DeleteUser.conflict: sandbox failed DeleteConflictException 409, moto succeeded':
    "IAM API reference, DeleteUser: the user's access keys must be deleted first, else DeleteConflict. moto deletes the user with its keys.",
  'iam-users.DeleteAccessKey: sandbox succeeded, moto failed NoSuchEntityException 404': CASCADE,
  'iam-users.DeleteUser: sandbox succeeded, moto failed NoSuchEntityException 404': CASCADE,
  'iam-instance-profiles-and-providers.ListInstanceProfilesForRole: only in sandbox: IsTruncated:boolean':
    'IAM API reference, ListInstanceProfilesForRole response: IsTruncated is returned; moto omits it.',
  'cloudformation.ValidateTemplate: only in sandbox: Parameters[].ParameterKey:string':
    "CloudFormation API reference, ValidateTemplate: returns the template's Parameters (ParameterKey, DefaultValue, NoEcho, Description); moto returns an empty list.",
  'cloudformation.ValidateTemplate: only in sandbox: Parameters[].DefaultValue:string':
    'Same as above (TemplateParameter.DefaultValue).',
  'cloudformation.ValidateTemplate: only in sandbox: Parameters[].NoEcho:boolean':
    'Same as above (TemplateParameter.NoEcho).',
  'cloudformation.ValidateTemplate: only in sandbox: Capabilities[]:string':
    'CloudFormation API reference, ValidateTemplate: Capabilities lists the capabilities the template requires (CAPABILITY_NAMED_IAM here); moto omits it.',
  'cloudformation.ValidateTemplate: only in sandbox: CapabilitiesReason:string':
    'Same as above: CapabilitiesReason names the resources that need the capability.',
  'cloudformation.DescribeStacks: only in sandbox: Stacks[].Capabilities[]:string':
    'CloudFormation API reference, Stack data type: Capabilities are the capabilities allowed in the stack; moto omits them.',
  'cloudformation.DescribeStacks: only in sandbox: Stacks[].DriftInformation.StackDriftStatus:string': DRIFT,
  'cloudformation.ListStackResources: only in sandbox: StackResourceSummaries[].LastUpdatedTimestamp:date':
    'CloudFormation API reference, StackResourceSummary: LastUpdatedTimestamp is a required member; moto omits it.',
  'cloudformation.ListStackResources: only in sandbox: StackResourceSummaries[].DriftInformation.StackResourceDriftStatus:string':
    DRIFT,
  'cloudformation.DescribeStackResources: only in sandbox: StackResources[].DriftInformation.StackResourceDriftStatus:string':
    DRIFT,
  'cloudformation.GetTemplate: only in sandbox: StagesAvailable[]:string':
    'CloudFormation API reference, GetTemplate: StagesAvailable (Original, Processed); moto omits it.',
  'cloudformation.DescribeStacks.afterUpdate: only in sandbox: Stacks[].LastUpdatedTime:date':
    'CloudFormation API reference, Stack: LastUpdatedTime is set once the stack has been updated; moto does not set it.',
  'cloudformation.DescribeStacks.afterUpdate: only in sandbox: Stacks[].Capabilities[]:string':
    'Same as DescribeStacks: Capabilities.',
  'cloudformation.DescribeStacks.afterUpdate: only in sandbox: Stacks[].DriftInformation.StackDriftStatus:string':
    DRIFT,
  'cloudformation.DescribeStackEvents: only in sandbox: StackEvents[].ResourceProperties:string':
    'CloudFormation API reference, StackEvent: ResourceProperties (the properties used to create the resource) appear on IN_PROGRESS events; moto omits them.',
  'cloudformation.DeleteStack: sandbox succeeded, moto failed DeleteConflict 409':
    "CloudFormation deletes a stack's managed policy attachments before the role (the AWS::IAM::ManagedPolicy Roles property is owned by the stack). moto deletes the role first and fails with IAM's DeleteConflict (leaking an IAM error code through CloudFormation).",
  'cloudformation.ListStacks: only in sandbox: StackSummaries[].StackName:string': `${CASCADE} (moto's stack was never deleted, so it is not DELETE_COMPLETE.)`,
  'cloudformation.ListStacks: only in sandbox: StackSummaries[].CreationTime:date': CASCADE,
  'cloudformation.ListStacks: only in sandbox: StackSummaries[].StackStatus:string': CASCADE,
  'cloudformation.ListStacks: only in sandbox: StackSummaries[].StackId:string': CASCADE,
  'cloudformation.ListStacks: only in sandbox: StackSummaries[].TemplateDescription:string': CASCADE,
  'cloudformation.ListStacks: only in sandbox: StackSummaries[].LastUpdatedTime:date': CASCADE,
  'cloudformation.ListStacks: only in sandbox: StackSummaries[].DeletionTime:date': CASCADE,
  'cloudformation.ListStacks: only in sandbox: StackSummaries[].DriftInformation.StackDriftStatus:string': CASCADE,
  'cloudformation.GetRole.afterDelete: sandbox failed NoSuchEntityException 404, moto succeeded': CASCADE,
};
