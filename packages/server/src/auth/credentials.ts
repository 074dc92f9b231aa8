/**
 * Credential verification: turns a bearer token into a {@link Principal}.
 *
 * - Static API keys (`auth.api_keys` with a role each, plus the legacy `publish.api_keys`, which grant
 *   `publisher`) are looked up by their SHA-256 digest.
 * - JWTs (three base64url parts) are verified with jose: HS256 with `auth.jwt.secret`, RS256/ES256/...
 *   with a PEM SPKI public key (importSPKI) or a JSON Web Key Set file (createLocalJWKSet), with the
 *   configured issuer, audience, clock tolerance and algorithm allow-list (no `alg` confusion: an HMAC
 *   token is never checked against a public key and vice versa).
 */
import { createHash, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  createLocalJWKSet, errors as joseErrors, importSPKI, jwtVerify,
  type CryptoKey, type JSONWebKeySet, type JWTPayload, type JWTVerifyGetKey, type JWTVerifyOptions,
} from 'jose';
import { ConfigError } from '../config/load.js';
import type { AuthConfig } from '../config/auth-section.js';

/** Who a verified credential belongs to. */
export interface Principal {
  kind: 'jwt' | 'api_key';
  /** User id (JWT `sub` or the configured claim; API keys: their `subject`). */
  subject: string;
  /** Roles, known ones only (see `auth.permissions`). */
  roles: string[];
  /** Expiry, seconds since the Unix epoch (JWT `exp`), or null. */
  exp: number | null;
}

/** Outcome of verifying one token. */
export type VerifyResult =
  | { ok: true; principal: Principal }
  | { ok: false; reason: string; code: 'expired' | 'claim' | 'signature' | 'malformed' | 'unknown_key' | 'no_role' | 'unsupported' };

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

type GetKey = JWTVerifyGetKey<CryptoKey | Uint8Array>;
type LocalJwks = ReturnType<typeof createLocalJWKSet>;

function digest(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Default algorithms of an SPKI key by its type (RSA -> RS256, P-256 -> ES256, ...). */
function algorithmsOfPem(pem: string): string[] {
  const key = createPublicKey(pem);
  const type = key.asymmetricKeyType;
  if (type === 'rsa') return ['RS256'];
  if (type === 'rsa-pss') return ['PS256'];
  if (type === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    return curve === 'secp384r1' ? ['ES384'] : curve === 'secp521r1' ? ['ES512'] : ['ES256'];
  }
  if (type === 'ed25519') return ['EdDSA'];
  throw new ConfigError(`config: auth.jwt.public_key has an unsupported key type ${String(type)}`, 'auth.jwt.public_key');
}

/** Verifies tokens against the configured keys. One per server. */
export class CredentialVerifier {
  private readonly apiKeys = new Map<string, { role: string; subject: string }>();
  private readonly getKey: GetKey | null;
  private readonly verifyOptions: JWTVerifyOptions;

  /**
   * Reads key files and prepares the keys.
   * @param auth the `auth` section
   * @param publishApiKeys legacy `publish.api_keys` (role publisher)
   * @param knownRoles roles that have permissions; others in a token are ignored
   * @throws ConfigError when a key file cannot be read or a key cannot be parsed
   */
  constructor(
    private readonly auth: AuthConfig,
    publishApiKeys: readonly string[],
    private readonly knownRoles: ReadonlySet<string>,
  ) {
    for (const key of publishApiKeys) this.apiKeys.set(digest(key), { role: 'publisher', subject: 'api-key' });
    auth.api_keys.forEach((k, i) => {
      if (!knownRoles.has(k.role)) throw new ConfigError(`config: auth.api_keys.${i}.role "${k.role}" has no permissions entry`, `auth.api_keys.${i}.role`);
      this.apiKeys.set(digest(k.key), { role: k.role, subject: k.subject ?? `api-key:${k.role}` });
    });

    const jwt = auth.jwt;
    const secret = jwt.secret ? new TextEncoder().encode(jwt.secret) : null;
    let pem = jwt.public_key ?? null;
    if (!pem && jwt.public_key_file) pem = readText(jwt.public_key_file, 'auth.jwt.public_key_file');
    const algorithms = new Set<string>();
    if (secret) algorithms.add('HS256');
    if (pem) {
      try {
        for (const a of algorithmsOfPem(pem)) algorithms.add(a);
      } catch (err) {
        if (err instanceof ConfigError) throw err;
        throw new ConfigError(`config: auth.jwt.public_key is not a PEM public key: ${(err as Error).message}`, 'auth.jwt.public_key');
      }
    }
    const set = jwt.jwks_file ? readJwks(jwt.jwks_file) : null;
    const jwks: LocalJwks | null = set ? createLocalJWKSet(set) : null;
    for (const k of set?.keys ?? []) algorithms.add(typeof k.alg === 'string' ? k.alg : k.kty === 'EC' ? 'ES256' : k.kty === 'OKP' ? 'EdDSA' : 'RS256');
    if (!secret && !pem && !jwks) {
      this.getKey = null;
    } else {
      const spkiCache = new Map<string, Promise<CryptoKey>>();
      this.getKey = async (header, token) => {
        const alg = header.alg ?? '';
        if (alg.startsWith('HS')) {
          if (!secret) throw new joseErrors.JOSEAlgNotAllowed('HMAC tokens are not accepted (no auth.jwt.secret)');
          return secret;
        }
        if (jwks && (header.kid !== undefined || !pem)) return jwks(header, token);
        if (pem) {
          let k = spkiCache.get(alg);
          if (!k) {
            k = importSPKI(pem, alg);
            spkiCache.set(alg, k);
          }
          return k;
        }
        throw new joseErrors.JOSEAlgNotAllowed(`no key for ${alg}`);
      };
    }
    this.verifyOptions = {
      algorithms: jwt.algorithms ? [...jwt.algorithms] : [...algorithms],
      clockTolerance: jwt.clock_tolerance_s,
      ...(jwt.issuer !== undefined ? { issuer: jwt.issuer } : {}),
      ...(jwt.audience !== undefined ? { audience: jwt.audience } : {}),
      ...(jwt.require_exp ? { requiredClaims: ['exp'] } : {}),
    };
  }

  /** Whether JWTs can be verified (a secret, public key or JWKS is configured). */
  get jwtEnabled(): boolean {
    return this.getKey !== null;
  }

  /** Whether any credential (API key or JWT key) is configured. */
  get configured(): boolean {
    return this.getKey !== null || this.apiKeys.size > 0;
  }

  /** Verifies `token` (an API key or a JWT). Never throws. */
  async verify(token: string): Promise<VerifyResult> {
    const key = this.apiKeys.get(digest(token));
    if (key) return { ok: true, principal: { kind: 'api_key', subject: key.subject, roles: [key.role], exp: null } };
    if (!JWT_SHAPE.test(token)) return { ok: false, code: 'unknown_key', reason: 'unknown API key' };
    if (!this.getKey) return { ok: false, code: 'unsupported', reason: 'JWTs are not accepted (no auth.jwt key configured)' };
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.getKey, this.verifyOptions));
    } catch (err) {
      return { ok: false, ...describe(err) };
    }
    const roles = this.rolesOf(payload);
    if (roles.length === 0) return { ok: false, code: 'no_role', reason: 'token carries no known role' };
    const sub = claimAt(payload, this.auth.subject_claim);
    return {
      ok: true,
      principal: { kind: 'jwt', subject: typeof sub === 'string' || typeof sub === 'number' ? String(sub) : '', roles, exp: typeof payload.exp === 'number' ? payload.exp : null },
    };
  }

  private rolesOf(payload: JWTPayload): string[] {
    const found: string[] = [];
    let present = false;
    for (const claim of this.auth.role_claims) {
      const v = claimAt(payload, claim);
      if (v === undefined || v === null) continue;
      present = true;
      if (typeof v === 'string') found.push(...v.split(/[\s,]+/).filter(Boolean));
      else if (Array.isArray(v)) found.push(...v.filter((x): x is string => typeof x === 'string'));
    }
    const roles = present ? found : [this.auth.default_role];
    return [...new Set(roles.filter((r) => this.knownRoles.has(r)))];
  }
}

/** Reads `path` as UTF-8. @throws ConfigError naming `key` */
function readText(path: string, key: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`config: ${key}: cannot read ${path}: ${(err as Error).message}`, key);
  }
}

/** Reads a JSON Web Key Set file. @throws ConfigError naming auth.jwt.jwks_file */
function readJwks(path: string): JSONWebKeySet {
  const text = readText(path, 'auth.jwt.jwks_file');
  try {
    const set = JSON.parse(text) as JSONWebKeySet;
    if (!Array.isArray(set?.keys)) throw new Error('no "keys" array');
    createLocalJWKSet(set);
    return set;
  } catch (err) {
    throw new ConfigError(`config: auth.jwt.jwks_file is not a JSON Web Key Set: ${(err as Error).message}`, 'auth.jwt.jwks_file');
  }
}

/** The value of a (dotted) claim. */
function claimAt(payload: JWTPayload, path: string): unknown {
  if (path in payload) return payload[path];
  let cur: unknown = payload;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** Maps a jose error to a short reason (close reasons stay under 123 bytes). */
function describe(err: unknown): { code: Exclude<VerifyResult, { ok: true }>['code']; reason: string } {
  if (err instanceof joseErrors.JWTExpired) return { code: 'expired', reason: 'token expired' };
  if (err instanceof joseErrors.JWTClaimValidationFailed) return { code: 'claim', reason: `token ${err.claim} claim invalid: ${err.reason}`.slice(0, 100) };
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return { code: 'signature', reason: 'token signature invalid' };
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return { code: 'unsupported', reason: 'token algorithm not allowed' };
  if (err instanceof joseErrors.JWKSNoMatchingKey) return { code: 'signature', reason: 'no key matches the token' };
  if (err instanceof joseErrors.JOSEError) return { code: 'malformed', reason: 'malformed token' };
  return { code: 'malformed', reason: 'invalid token' };
}
