/**
 * Deliverables benchmark: builds the cross-account blueprint from the compiled example catalog and renders every
 * format, against a baseline measured in the same run (pretty-printing the same model as JSON). Also prints trust
 * policy sizes against AWS's 2,048-character default quota and how many rotating external IDs fit. Prints only;
 * never fails on a time.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  DELIVERABLE_FORMATS,
  buildBlueprint,
  buildTrustPolicy,
  compilePolicies,
  generateExternalId,
  loadAwsActionList,
  parseCatalog,
  renderDeliverable,
  type BlueprintOptions,
  type TrustPrincipalSpec,
} from '@trustgate/core';
import { opsPerSecond } from './ops-per-second.ts';

export default async function run(): Promise<void> {
  const actionList = await loadAwsActionList();
  const text = readFileSync(fileURLToPath(new URL('../catalogs/example.yaml', import.meta.url)), 'utf8');
  const { catalog } = parseCatalog(text, { fileName: 'example.yaml', actionList });
  if (!catalog) throw new Error('example catalog invalid');
  const compiled = compilePolicies({ catalog, selection: { mode: 'default' }, partition: 'aws' }, actionList);
  const options: BlueprintOptions = {
    partition: 'aws',
    platform: { aws: { accountId: '111122223333' } },
    externalIds: [generateExternalId()],
    policies: compiled.documents.map((d) => ({ name: d.name, document: d.document })),
    managedPolicyArns: compiled.managedPolicyArns,
  };
  const model = buildBlueprint('cross-account-role', options);
  const baseline = opsPerSecond(() => JSON.stringify(model, null, 2));
  console.log(`baseline JSON.stringify(model): ${baseline.toFixed(0)} ops/s`);
  const build = opsPerSecond(() => buildBlueprint('cross-account-role', options));
  console.log(
    `buildBlueprint(cross-account-role): ${build.toFixed(0)} ops/s (${(baseline / build).toFixed(1)}x baseline time)`,
  );
  for (const format of DELIVERABLE_FORMATS) {
    const ops = opsPerSecond(() => renderDeliverable(model, format));
    console.log(
      `render ${format}: ${ops.toFixed(0)} ops/s (${(baseline / ops).toFixed(1)}x baseline time), ${renderDeliverable(model, format).length} characters`,
    );
  }

  const sizes: Array<[string, TrustPrincipalSpec[]]> = [
    [
      'account root + 1 external ID',
      [{ type: 'account', accountId: '111122223333', externalId: { ids: [generateExternalId()] } }],
    ],
    [
      'account root + 2 IDs (rotation)',
      [
        {
          type: 'account',
          accountId: '111122223333',
          externalId: { ids: [generateExternalId(), generateExternalId()] },
        },
      ],
    ],
    [
      'scoped IDs, any stack',
      [
        {
          type: 'account',
          accountId: '111122223333',
          externalId: { scope: { accountName: 'acme', integrationId: '01HX9ZQ' } },
        },
      ],
    ],
    [
      'spot fleet, confused deputy',
      [
        {
          type: 'service',
          service: 'spotfleet',
          confusedDeputy: {
            sourceAccount: '444455556666',
            sourceArn: { scope: 'account', service: 'ec2', resource: 'spot-fleet-request/sfr-*' },
          },
        },
      ],
    ],
    [
      'oidc, 1 aud, 1 sub',
      [
        {
          type: 'oidc',
          accountId: '444455556666',
          issuer: 'oidc.platform.example.com',
          audiences: ['sts.amazonaws.com'],
          subjects: ['tenant:acme:*'],
        },
      ],
    ],
  ];
  for (const [label, principals] of sizes) {
    console.log(
      `trust policy ${label}: ${buildTrustPolicy({ partition: 'aws', principals }).size} of 2,048 characters`,
    );
  }
  let fit = 0;
  for (let n = 1; n < 200; n++) {
    try {
      buildTrustPolicy({
        partition: 'aws',
        principals: [
          {
            type: 'account',
            accountId: '111122223333',
            externalId: { ids: Array.from({ length: n }, () => generateExternalId()) },
          },
        ],
      });
      fit = n;
    } catch {
      break;
    }
  }
  console.log(`32-character external IDs that fit in one 2,048-character trust policy: ${fit}`);
}
