/** A value that can be written as the body of a Query protocol response. */
export type XmlValue = string | number | boolean | Date | undefined | null | XmlValue[] | { [key: string]: XmlValue };

/** Escapes text for XML character data and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(
    /[<>&'"\r]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;', '\r': '&#xD;' })[c] ?? c,
  );
}

/**
 * Writes a value as AWS Query protocol XML: structures as nested elements, lists as `<member>` elements,
 * timestamps as ISO 8601 (`2024-01-01T00:00:00Z`), undefined fields omitted — the shape botocore and the
 * SDK v3 `awsQuery` deserializers read.
 */
export function toXml(name: string, value: XmlValue): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) {
    return `<${name}>${value.map((v) => toXml('member', v)).join('')}</${name}>`;
  }
  if (value instanceof Date) return `<${name}>${isoSeconds(value)}</${name}>`;
  if (typeof value === 'object') {
    const inner = Object.entries(value)
      .map(([k, v]) => toXml(k, v))
      .join('');
    return `<${name}>${inner}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** ISO 8601 without milliseconds, as AWS writes timestamps. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** XML namespaces of the three Query services (their API versions). */
export const XML_NAMESPACES = {
  sts: 'https://sts.amazonaws.com/doc/2011-06-15/',
  iam: 'https://iam.amazonaws.com/doc/2010-05-08/',
  cloudformation: 'http://cloudformation.amazonaws.com/doc/2010-05-15/',
} as const;

/** The service names the sandbox serves, as they appear in SigV4 credential scopes. */
export type ServiceName = keyof typeof XML_NAMESPACES;

/** `<ActionResponse><ActionResult>...</ActionResult><ResponseMetadata>` — a successful Query response. */
export function successXml(options: {
  service: ServiceName;
  action: string;
  result?: Record<string, XmlValue>;
  requestId: string;
}): string {
  const { service, action, result, requestId } = options;
  const resultXml = result === undefined ? '' : toXml(`${action}Result`, result);
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${XML_NAMESPACES[service]}">${resultXml}` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`
  );
}

/** AWS's Query error document: `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`. */
export function errorXml(options: {
  service: ServiceName;
  type: string;
  code: string;
  message: string;
  requestId: string;
}): string {
  const { service, type, code, message, requestId } = options;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${XML_NAMESPACES[service]}"><Error><Type>${type}</Type>` +
    `<Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`
  );
}
