import { createServer } from 'node:http';
import {
  createSnsSigningIdentity,
  type SignedSnsEnvelope,
  type SnsMessageFields,
  type SnsSigningIdentity,
} from '@trustgate/sandbox';

/** A signing key of its own with its certificate served over HTTP on 127.0.0.1 (an attacker's, or a test's trusted SNS). */
export interface ServedSnsSigner {
  identity: SnsSigningIdentity;
  /** Where the certificate is served. */
  certificateUrl: string;
  /** `http://127.0.0.1:<port>/`. */
  origin: string;
  /** Paths requested from the certificate server (to prove nothing was fetched). */
  requests: string[];
  /** Signs as SNS does (SignatureVersion 2 unless told), naming `signingCertUrl` (default this signer's certificate). */
  sign(
    fields: SnsMessageFields & Record<string, string | undefined>,
    options?: { signatureVersion?: '1' | '2'; signingCertUrl?: string },
  ): SignedSnsEnvelope;
  close(): Promise<void>;
}

/** Starts a {@link ServedSnsSigner}. */
export async function startSnsSigner(): Promise<ServedSnsSigner> {
  const identity = await createSnsSigningIdentity();
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (req.url === `/${identity.certificateFileName}`)
      res.writeHead(200, { 'content-type': 'application/x-x509-ca-cert' }).end(identity.certificatePem);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  const certificateUrl = `${origin}${identity.certificateFileName}`;
  return {
    identity,
    certificateUrl,
    origin,
    requests,
    sign: (fields, options = {}) =>
      identity.sign(fields, {
        signingCertUrl: options.signingCertUrl ?? certificateUrl,
        ...(options.signatureVersion === undefined ? {} : { signatureVersion: options.signatureVersion }),
      }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
