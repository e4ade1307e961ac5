import type { Finding } from '@trustgate/core';
import type { ConnectionDeps } from '../deps.ts';
import type { Connection } from '../../model/records.ts';

/** Where quick-create and update-stack links point, and what the customer should know about it. */
export interface HostedTemplate {
  /** A presigned S3 URL, or the service's own template route when the template could not be published. */
  templateUrl: string;
  warnings: Finding[];
}

/** The service's own route for a connection's template (authenticated: CloudFormation cannot fetch it). */
export function serviceTemplateUrl(deps: Pick<ConnectionDeps, 'publicUrl'>, connectionId: string): string {
  return `${deps.publicUrl}/v1/connections/${connectionId}/deliverables/cloudformation-yaml`;
}

/** The links point at the service's own route; the `TEMPLATE_NOT_HOSTED` warning says why and what to do. */
function notHosted(serviceUrl: string, message: string): HostedTemplate {
  return {
    templateUrl: serviceUrl,
    warnings: [{ code: 'TEMPLATE_NOT_HOSTED', severity: 'warning', path: 'formats.quick-create-link', message }],
  };
}

/**
 * Publishes a connection's CloudFormation template to the platform's template bucket and returns the presigned
 * S3 URL the console links carry. CloudFormation only opens templates stored in Amazon S3, so without a
 * bucket — or when publishing fails (it never fails the deliverables) — the links keep pointing at the
 * service's route and a warning says what to do instead. A publishing failure's AWS error goes only to
 * `deps.log` (it can name the platform's principal and bucket), never into the tenant-facing warning.
 */
export async function hostTemplate(
  deps: Pick<ConnectionDeps, 'aws' | 'publicUrl' | 'log'>,
  c: Pick<Connection, 'id' | 'partition'>,
  template: string,
): Promise<HostedTemplate> {
  const fallback = serviceTemplateUrl(deps, c.id);
  const publisher = deps.aws.templatePublisher?.({ partition: c.partition });
  if (publisher === undefined) {
    return notHosted(
      fallback,
      `CloudFormation only opens templates stored in Amazon S3, so the quick-create and update-stack links cannot load this template from the service; configure a private S3 bucket as templateBucket for partition ${c.partition} (the service uploads templates there and links a presigned URL), or apply the cloudformation-yaml deliverable yourself.`,
    );
  }
  try {
    const published = await publisher.publish({ connectionId: c.id, template });
    const warnings: Finding[] = published.limitedByCredentials
      ? [
          {
            code: 'TEMPLATE_URL_SHORT_LIVED',
            severity: 'info',
            path: 'formats.quick-create-link',
            message: `The template link works until ${published.expiresAt.toISOString()}: it was presigned with temporary credentials, which end sooner than the link's own expiry; fetch the deliverables again for a fresh link.`,
          },
        ]
      : [];
    return { templateUrl: published.url, warnings };
  } catch (error) {
    // S3's error can name the platform's IAM principal and bucket: it goes to the operator's log, and every viewer
    // of the connection gets what is wrong in their terms.
    deps.log?.warn(
      { err: error, connectionId: c.id, partition: c.partition },
      "The connection's template could not be published to the template bucket; its quick-create and update-stack links point at the service instead. Check the bucket and the platform's s3:PutObject and s3:GetObject permissions on it.",
    );
    return notHosted(
      fallback,
      "The quick-create and update-stack links cannot load this template in the CloudFormation console right now: CloudFormation only opens templates stored in Amazon S3, and the template could not be stored there. Download the cloudformation-yaml deliverable and create (or update) the stack from that file, or ask the platform's operator to fix template hosting.",
    );
  }
}
