import { describe, expect, it } from 'vitest';
import { TrustgateError } from '../errors/index.ts';
import type { Partition } from '../partition/index.ts';
import { quickCreateLink } from './quick-create-link.ts';
import { updateStackLink } from './update-stack-link.ts';

const UUID = '0f1e2d3c-aaaa-bbbb-cccc-123456789012';

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof TrustgateError) return error.code;
    throw error;
  }
  return undefined;
}

describe('updateStackLink', () => {
  it.each([
    ['aws', 'eu-west-1', 'https://eu-west-1.console.aws.amazon.com/cloudformation/home?region=eu-west-1'],
    ['aws-us-gov', 'us-gov-east-1', 'https://console.amazonaws-us-gov.com/cloudformation/home?region=us-gov-east-1'],
    ['aws-cn', 'cn-northwest-1', 'https://console.amazonaws.cn/cloudformation/home?region=cn-northwest-1'],
  ] as const)("opens the %s stack in its own region %s on the partition's console", (partition, region, home) => {
    const stackId = `arn:${partition}:cloudformation:${region}:123456789012:stack/trustgate-acme/${UUID}`;
    const link = updateStackLink(partition, stackId, 'https://bucket.s3.amazonaws.com/t.yaml?v=2&x=1');
    expect(link.startsWith(`${home}#/stacks/update/template?`)).toBe(true);
    const query = new URLSearchParams(new URL(link).hash.split('?')[1]);
    expect(query.get('stackId')).toBe(stackId);
    expect(query.get('templateURL')).toBe('https://bucket.s3.amazonaws.com/t.yaml?v=2&x=1');
  });

  it('writes exactly the link the server wrote', () => {
    const stackId = `arn:aws:cloudformation:us-east-1:123456789012:stack/tg-manual/${UUID}`;
    expect(updateStackLink('aws', stackId, 'http://localhost:4566/templates/c.yaml')).toBe(
      `https://us-east-1.console.aws.amazon.com/cloudformation/home?region=us-east-1#/stacks/update/template?stackId=${encodeURIComponent(stackId)}&templateURL=${encodeURIComponent('https://localhost:4566/templates/c.yaml')}`,
    );
  });

  it('turns an http template URL to https and keeps an https one', () => {
    const stackId = `arn:aws-cn:cloudformation:cn-north-1:123456789012:stack/s/${UUID}`;
    const templateOf = (url: string) =>
      new URLSearchParams(new URL(updateStackLink('aws-cn', stackId, url)).hash.split('?')[1]).get('templateURL');
    expect(templateOf('http://b.s3.cn-north-1.amazonaws.com.cn/t.json')).toBe(
      'https://b.s3.cn-north-1.amazonaws.com.cn/t.json',
    );
    expect(templateOf('https://b.s3.cn-north-1.amazonaws.com.cn/t.json')).toBe(
      'https://b.s3.cn-north-1.amazonaws.com.cn/t.json',
    );
  });

  it('uses the same console host as quickCreateLink', () => {
    for (const [partition, region] of [
      ['aws', 'ap-southeast-7'],
      ['aws-us-gov', 'us-gov-west-1'],
      ['aws-cn', 'cn-north-1'],
    ] as Array<[Partition, string]>) {
      const update = new URL(
        updateStackLink(
          partition,
          `arn:${partition}:cloudformation:${region}:123456789012:stack/s/1`,
          'https://x.example/t',
        ),
      );
      const create = new URL(
        quickCreateLink({ partition, region, templateUrl: 'https://x.example/t', stackName: 's' }),
      );
      expect(`${update.origin}${update.pathname}${update.search}`).toBe(
        `${create.origin}${create.pathname}${create.search}`,
      );
    }
  });

  it('refuses a stack id that is not a stack ARN, a stack of another partition, and a template that is not a URL', () => {
    expect(codeOf(() => updateStackLink('aws', 'trustgate-acme', 'https://x.example/t'))).toBe('INVALID_ARN');
    expect(
      codeOf(() =>
        updateStackLink('aws', `arn:aws:cloudformation:us-east-1a:123456789012:stack/s/${UUID}`, 'https://x.example/t'),
      ),
    ).toBe('INVALID_ARN');
    expect(
      codeOf(() =>
        updateStackLink(
          'aws',
          `arn:aws-cn:cloudformation:cn-north-1:123456789012:stack/s/${UUID}`,
          'https://x.example/t',
        ),
      ),
    ).toBe('INVALID_PARTITION');
    expect(
      codeOf(() =>
        updateStackLink('aws', `arn:aws:cloudformation:us-east-1:123456789012:stack/s/${UUID}`, 'not a url'),
      ),
    ).toBe('INVALID_INPUT');
    expect(
      codeOf(() =>
        updateStackLink('aws', `arn:aws:cloudformation:us-east-1:123456789012:stack/s/${UUID}`, 'ftp://x.example/t'),
      ),
    ).toBe('INVALID_INPUT');
  });
});
