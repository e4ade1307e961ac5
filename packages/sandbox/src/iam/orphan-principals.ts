import type { SandboxState } from '../state/model.ts';

function replaceIn(value: unknown, arn: string, uniqueId: string): { value: unknown; changed: boolean } {
  if (value === arn) return { value: uniqueId, changed: true };
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((v) => {
      if (v === arn) {
        changed = true;
        return uniqueId;
      }
      return v;
    });
    return { value: out, changed };
  }
  return { value, changed: false };
}

/**
 * When a user or role is deleted, AWS rewrites every trust policy that names its ARN to name its unique ID
 * instead (IAM User Guide, "IAM JSON policy elements: Principal": "If the principal is deleted and
 * recreated, the new principal has a different ID and the policy no longer matches"). A recreated entity
 * with the same name therefore does not regain the trust. Applies across every sandbox account.
 */
export function orphanPrincipal(state: SandboxState, arn: string, uniqueId: string): void {
  for (const account of Object.values(state.accounts)) {
    for (const role of Object.values(account.roles)) {
      if (!role.assumeRolePolicyDocument.includes(arn)) continue;
      const doc = JSON.parse(role.assumeRolePolicyDocument) as { Statement: unknown };
      const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
      let changed = false;
      for (const st of statements as Array<Record<string, unknown>>) {
        for (const key of ['Principal', 'NotPrincipal']) {
          const p = st[key];
          if (typeof p !== 'object' || p === null || !('AWS' in p)) continue;
          const r = replaceIn((p as { AWS: unknown }).AWS, arn, uniqueId);
          if (r.changed) {
            (p as { AWS: unknown }).AWS = r.value;
            changed = true;
          }
        }
      }
      if (changed) role.assumeRolePolicyDocument = JSON.stringify(doc);
    }
  }
}
