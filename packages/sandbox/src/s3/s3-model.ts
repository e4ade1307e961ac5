/** One object of a sandbox S3 bucket. The body is kept as base64 so the state stays plain JSON. */
export interface S3ObjectRecord {
  key: string;
  bodyBase64: string;
  size: number;
  /** `"<md5 hex>"`, as S3 computes it for a single-part upload. */
  etag: string;
  contentType: string;
  lastModified: string;
  /** User metadata (`x-amz-meta-*` headers, names lower-cased without the prefix). */
  metadata: Record<string, string>;
}

/** A sandbox S3 bucket: S3 bucket names are global (one namespace per partition), each owned by one account. */
export interface S3BucketRecord {
  name: string;
  ownerAccountId: string;
  region: string;
  creationDate: string;
  objects: Record<string, S3ObjectRecord>;
}
