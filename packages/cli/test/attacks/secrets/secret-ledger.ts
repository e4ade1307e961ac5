/**
 * The secrets a scenario was handed, each with the one answer that issued it, and every place it then looked at
 * (log lines, answers, audit rows, store rows, CLI output). `scan()` looks for each secret, in each form it could be
 * written in, in every place but the answer that issued it.
 */

/** A place the scenario read: its name says where it came from. */
export interface Place {
  name: string;
  text: string;
}

/** A secret found where it must not be. */
export interface Leak {
  kind: string;
  place: string;
  form: string;
}

interface Secret {
  kind: string;
  value: string;
  /** The answers that carry it: the one that issued it (and, for a cookie, the answer that set it). */
  allowed: Set<string>;
}

/** Forms shorter than this are not searched (they would match by chance). */
const MIN_FORM = 16;

/**
 * The base64 text of `bytes` at each of the three byte offsets it could start at inside a larger encoded value,
 * without the characters its neighbours change: the first and last four when the value does not start or end on a
 * three-byte boundary.
 */
function base64Cores(bytes: Buffer, alphabet: 'base64' | 'base64url'): string[] {
  const cores: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const text = Buffer.concat([Buffer.alloc(offset), bytes])
      .toString(alphabet)
      .replace(/=+$/, '');
    cores.push(text.slice(offset === 0 ? 0 : 4, -4));
  }
  return cores;
}

/** The forms a secret could be written in: as is, without its type prefix, URL-encoded, base64, base64url, hex. */
export function formsOf(value: string): Map<string, string> {
  const forms = new Map<string, string>([['raw', value]]);
  const unprefixed = /^(tgr?_|tgc_)(.+)$/.exec(value)?.[2];
  if (unprefixed !== undefined) forms.set('without its prefix', unprefixed);
  if (encodeURIComponent(value) !== value) forms.set('url-encoded', encodeURIComponent(value));
  const jwt = /^eyJ[\w-]+\.eyJ[\w-]+\.([\w-]+)$/.exec(value);
  if (jwt !== null) forms.set('JWT signature', jwt[1]!);
  const bytes = Buffer.from(value, 'utf8');
  base64Cores(bytes, 'base64').forEach((core, i) => forms.set(`base64 (offset ${i})`, core));
  base64Cores(bytes, 'base64url').forEach((core, i) => forms.set(`base64url (offset ${i})`, core));
  forms.set('hex', bytes.toString('hex'));
  for (const [name, form] of forms) if (form.length < MIN_FORM) forms.delete(name);
  return forms;
}

/** What one scan looked at and found. */
export interface ScanResult {
  secrets: number;
  byKind: Record<string, number>;
  places: number;
  bytes: number;
  leaks: Leak[];
}

export class SecretLedger {
  private readonly secrets = new Map<string, Secret>();
  private readonly places: Place[] = [];

  /** A place read; its name must be unique (answers are numbered). */
  place(name: string, text: string): string {
    if (this.places.some((p) => p.name === name)) throw new Error(`place ${name} recorded twice`);
    this.places.push({ name, text });
    return name;
  }

  /** `value`, a secret of `kind`, was issued by the answer recorded as place `answer` (which must hold it). */
  issued(kind: string, value: string | undefined, answer: string): string {
    if (value === undefined || value.length < 20) throw new Error(`no ${kind} in ${answer}`);
    const text = this.places.find((p) => p.name === answer)?.text;
    if (text === undefined || !text.includes(value)) throw new Error(`${answer} does not carry the ${kind}`);
    const known = this.secrets.get(value);
    if (known !== undefined) known.allowed.add(answer);
    else this.secrets.set(value, { kind, value, allowed: new Set([answer]) });
    return value;
  }

  /** A secret-looking value the scenario made up and presented (a wrong token): no answer may carry it. */
  presented(kind: string, value: string): string {
    this.secrets.set(value, { kind, value, allowed: new Set() });
    return value;
  }

  /** Every secret of `kind` issued so far. */
  of(kind: string): string[] {
    return [...this.secrets.values()].filter((s) => s.kind === kind).map((s) => s.value);
  }

  scan(): ScanResult {
    const leaks: Leak[] = [];
    const byKind: Record<string, number> = {};
    for (const secret of this.secrets.values()) {
      byKind[secret.kind] = (byKind[secret.kind] ?? 0) + 1;
      const forms = formsOf(secret.value);
      for (const place of this.places) {
        if (secret.allowed.has(place.name)) continue;
        for (const [form, text] of forms)
          if (place.text.includes(text)) leaks.push({ kind: secret.kind, place: place.name, form });
      }
    }
    return {
      secrets: this.secrets.size,
      byKind,
      places: this.places.length,
      bytes: this.places.reduce((n, p) => n + Buffer.byteLength(p.text), 0),
      leaks,
    };
  }
}
