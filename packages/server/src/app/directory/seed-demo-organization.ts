import type { Store } from '../../store/store.ts';
import { generateApiTokenSecret } from '../../auth/api-token-secret.ts';
import { createOrganizationWithAdmin } from './organizations.ts';
import { TOKEN_SCOPES } from '../../model/records.ts';

const SETTING = 'demo-organization';

/**
 * Seeds the demo organization `trustgate serve` starts with: on first start an organization "Demo" with an
 * admin; on every start a fresh admin token (tokens are stored hashed, so an old one cannot be shown again).
 */
export async function seedDemoOrganization(
  store: Store,
): Promise<{ organizationId: string; adminUserId: string; adminToken: string; created: boolean }> {
  const saved = await store.getSetting(SETTING);
  if (saved !== undefined) {
    const { organizationId, adminUserId } = JSON.parse(saved) as { organizationId: string; adminUserId: string };
    if ((await store.directory.getUser(organizationId, adminUserId)) !== undefined) {
      const { secret, hash } = generateApiTokenSecret();
      await store.tokens.create({
        organizationId,
        userId: adminUserId,
        name: `serve ${new Date().toISOString()}`,
        scopes: [...TOKEN_SCOPES],
        tokenHash: hash,
        expiresAt: null,
      });
      return { organizationId, adminUserId, adminToken: secret, created: false };
    }
  }
  const { organization, admin, issued } = await store.transaction((repos) =>
    createOrganizationWithAdmin(repos, {
      name: 'Demo',
      adminEmail: 'admin@demo.trustgate.local',
      adminName: 'Demo admin',
    }),
  );
  await store.putSetting(SETTING, JSON.stringify({ organizationId: organization.id, adminUserId: admin.id }));
  return { organizationId: organization.id, adminUserId: admin.id, adminToken: issued.secret, created: true };
}
