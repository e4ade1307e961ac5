import type { StepProps } from '../wizard-steps.ts';
import type { CreatedConnection } from '../wizard-state.ts';
import { DeliverableText } from './deliverables/DeliverableText.tsx';
import { ManualInstructions } from './deliverables/ManualInstructions.tsx';
import { Tabs, type TabSpec } from './deliverables/Tabs.tsx';
import { fileStem } from './deliverables/copy-download.ts';
import './deliverables/deliverables.css';

/** The service's file formats shown as tabs: label, what the buttons call it, file extension, media type. */
const FILES = [
  ['cloudformation-yaml', 'CloudFormation (YAML)', 'CloudFormation template (YAML)', 'yaml', 'application/yaml'],
  ['cloudformation-json', 'CloudFormation (JSON)', 'CloudFormation template (JSON)', 'json', 'application/json'],
  ['terraform', 'Terraform', 'Terraform configuration', 'tf', 'text/plain'],
  ['cli', 'CLI script', 'AWS CLI script', 'sh', 'text/x-shellscript'],
  ['stackset', 'StackSet (organizations)', 'StackSet', 'json', 'application/json'],
] as const;

function QuickCreate({ created }: { created: CreatedConnection }) {
  const link = created.deliverables.formats['quick-create-link'];
  const warnings = created.deliverables.warnings.filter((w) => w.path === 'formats.quick-create-link');
  if (link === undefined) return <p>This connection has no quick-create link: use a template from the other tabs.</p>;
  const automatic = created.connection.mode === 'automatic';
  return (
    <>
      <p>
        Sign in to the AWS account, open the link, tick{' '}
        <strong>I acknowledge that AWS CloudFormation might create IAM resources with custom names</strong> and choose{' '}
        <strong>Create stack</strong>.{' '}
        {automatic
          ? 'When the stack is created it reports back by itself: the next step turns connected without you pasting anything.'
          : 'When the stack is created, copy its RoleArn output: the next step asks for it.'}
      </p>
      <p>
        <a
          className="button-link"
          href={link}
          target="_blank"
          rel="noopener noreferrer"
          data-testid="quick-create-link"
        >
          Open the quick-create stack in AWS (opens a new tab)
        </a>
      </p>
      {warnings.map((w) => (
        <p key={w.code} className="preview-warnings">
          {w.message}
        </p>
      ))}
      <DeliverableText
        what="quick-create link"
        text={link}
        filename={`${fileStem(created.connection.name)}-link.txt`}
        type="text/plain"
      />
    </>
  );
}

/**
 * Step 3: what the customer applies in AWS, in tabs — the quick-create link (automatic), the AWS console steps filled
 * in with this connection's values (manual), CloudFormation YAML and JSON, Terraform, the CLI script, the StackSet,
 * the permission policies and the trust policy — each with Copy and Download. The connection exists already (step 2
 * created it).
 */
export default function DeliverablesStep({ state }: StepProps) {
  const created = state.created;
  if (created === undefined) return <p className="form-error">Go back to create the connection first.</p>;
  const { connection, deliverables } = created;
  const id = connection.id;
  const stem = fileStem(connection.name);
  const files: TabSpec[] = FILES.filter(([format]) => deliverables.formats[format] !== undefined).map(
    ([format, label, what, ext, type]) => ({
      id: format,
      label,
      panel: (
        <DeliverableText
          what={what}
          text={deliverables.formats[format] ?? ''}
          filename={`${stem}.${format === 'stackset' ? 'stackset.json' : ext}`}
          type={type}
          href={`/v1/connections/${encodeURIComponent(id)}/deliverables/${format}`}
          testId={`deliverable-${format}`}
        />
      ),
    }),
  );
  const policies: TabSpec = {
    id: 'policy',
    label: 'Permission policy',
    panel: (
      <>
        {deliverables.permissionPolicies.map((p) => (
          <section key={p.name} aria-label={`Policy ${p.name}`}>
            <h3>{p.name}</h3>
            <DeliverableText
              what={`policy ${p.name}`}
              text={`${JSON.stringify(p.document, null, 2)}\n`}
              filename={`${stem}-${p.name}.json`}
              type="application/json"
            />
          </section>
        ))}
        {deliverables.managedPolicyArns.length === 0 ? null : (
          <>
            <h3>AWS managed policies to attach</h3>
            <ul>
              {deliverables.managedPolicyArns.map((arn) => (
                <li key={arn}>
                  <code>{arn}</code>
                </li>
              ))}
            </ul>
          </>
        )}
      </>
    ),
  };
  const trust: TabSpec = {
    id: 'trust',
    label: 'Trust policy',
    panel: (
      <DeliverableText
        what="trust policy"
        text={`${JSON.stringify(deliverables.trustPolicy, null, 2)}\n`}
        filename={`${stem}-trust-policy.json`}
        type="application/json"
        testId="deliverable-trust-policy"
      />
    ),
  };
  const quick: TabSpec = { id: 'quick-create', label: 'Quick-create link', panel: <QuickCreate created={created} /> };
  const manual: TabSpec = {
    id: 'console-steps',
    label: 'AWS console steps',
    panel: <ManualInstructions created={created} />,
  };
  const tabs =
    connection.mode === 'automatic' ? [quick, ...files, policies, trust] : [manual, ...files, quick, policies, trust];
  return (
    <div className="deliverables-step">
      <p>
        The connection <strong>{connection.name}</strong> is created ({connection.status}). Create the role{' '}
        <code>{connection.roleName}</code> in AWS with one of these, then continue.
        {connection.trust.kind === 'oidc' ? null : (
          <>
            {' '}
            Its external ID is <code>{connection.externalId}</code>.
          </>
        )}
      </p>
      <Tabs label="Deliverables" idPrefix="deliverables" tabs={tabs} />
    </div>
  );
}
