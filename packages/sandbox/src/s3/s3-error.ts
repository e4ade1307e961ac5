import { AwsError } from '../protocol/aws-error.ts';
import { escapeXml } from '../protocol/xml.ts';

/**
 * An S3 error: AWS's code and status plus the extra elements S3 writes into its error document
 * (`<BucketName>`, `<Key>`, `<AWSAccessKeyId>`, ...). Amazon S3 API Reference, "Error responses".
 */
export class S3Error extends AwsError {
  readonly fields: Record<string, string>;

  constructor(code: string, message: string, status: number, fields: Record<string, string> = {}) {
    super(code, message, status);
    this.fields = fields;
  }
}

/** `NoSuchBucket` (404). */
export function noSuchBucket(bucket: string): S3Error {
  return new S3Error('NoSuchBucket', 'The specified bucket does not exist', 404, { BucketName: bucket });
}

/** `NoSuchKey` (404). */
export function noSuchKey(key: string): S3Error {
  return new S3Error('NoSuchKey', 'The specified key does not exist.', 404, { Key: key });
}

/** `AccessDenied` (403); S3 answers anonymous and unexplained refusals with "Access Denied". */
export function s3AccessDenied(message = 'Access Denied', fields: Record<string, string> = {}): S3Error {
  return new S3Error('AccessDenied', message, 403, fields);
}

/** S3's XML error document: `<Error><Code/><Message/>...<RequestId/><HostId/></Error>`. */
export function s3ErrorXml(error: AwsError, requestId: string, hostId: string): string {
  const fields =
    error instanceof S3Error
      ? Object.entries(error.fields)
          .map(([k, v]) => `<${k}>${escapeXml(v)}</${k}>`)
          .join('')
      : '';
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message>${fields}` +
    `<RequestId>${requestId}</RequestId><HostId>${hostId}</HostId></Error>`
  );
}
