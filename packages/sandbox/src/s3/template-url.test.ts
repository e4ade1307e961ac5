import { describe, expect, it } from 'vitest';
import { parseS3ObjectUrl } from './template-url.ts';

const SANDBOX = 'http://127.0.0.1:4566';

describe('parseS3ObjectUrl (CloudFormation TemplateURL forms)', () => {
  it.each([
    ['https://s3.amazonaws.com/bucket/dir/t.yaml', 'bucket', 'dir/t.yaml'],
    ['https://s3.us-west-2.amazonaws.com/bucket/t.yaml', 'bucket', 't.yaml'],
    ['https://s3-us-west-2.amazonaws.com/bucket/t.yaml', 'bucket', 't.yaml'],
    ['https://bucket.s3.amazonaws.com/t.yaml', 'bucket', 't.yaml'],
    ['https://my.dotted.bucket.s3.eu-west-1.amazonaws.com/a%20b.yaml', 'my.dotted.bucket', 'a b.yaml'],
    ['https://bucket.s3-eu-west-1.amazonaws.com/t.yaml', 'bucket', 't.yaml'],
    ['https://bucket.s3.dualstack.us-east-1.amazonaws.com/t.yaml', 'bucket', 't.yaml'],
    ['https://bucket.s3.cn-north-1.amazonaws.com.cn/t.yaml', 'bucket', 't.yaml'],
    ['http://127.0.0.1:4566/bucket/t.yaml?X-Amz-Signature=abc', 'bucket', 't.yaml'],
    ['https://127.0.0.1:4566/bucket/t.yaml', 'bucket', 't.yaml'],
    ['http://localhost:4566/bucket/t.yaml', 'bucket', 't.yaml'],
  ])('%s -> %s / %s', (url, bucket, key) => {
    expect(parseS3ObjectUrl(url, SANDBOX)).toMatchObject({ bucket, key });
  });

  it.each([
    'http://s3.amazonaws.com/bucket/t.yaml', // S3 locations must start with https://
    'https://bucket.s3-website-us-east-1.amazonaws.com/t.yaml', // S3 static websites are not supported
    'https://bucket.s3-website.eu-west-1.amazonaws.com/t.yaml',
    'https://raw.githubusercontent.com/o/r/main/t.yaml',
    'https://s3.amazonaws.com/bucket-only',
    'https://bucket.s3.amazonaws.com/',
    's3://bucket/t.yaml',
    'http://127.0.0.1:9999/bucket/t.yaml', // another port is not the sandbox
    'not a url',
  ])('%s is not a supported URL', (url) => {
    expect(parseS3ObjectUrl(url, SANDBOX)).toBeUndefined();
  });
});
