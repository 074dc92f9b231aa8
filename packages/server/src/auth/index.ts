/**
 * The auth module: `createAuth(config, registry)` builds the server's {@link AuthService} (JWT and
 * API-key verification, role policies, connection/stream/REST guards, token-expiry timers).
 */
import type client from 'prom-client';
import type { Config } from '../config/index.js';
import { AuthService } from './auth-service.js';
import { CredentialVerifier } from './credentials.js';
import { compilePolicies } from './permissions.js';

export { AuthService, CHANNEL_STREAM, primaryRole, userIdOf, type RequestPrincipal } from './auth-service.js';
export { CredentialVerifier, type Principal, type VerifyResult } from './credentials.js';
export { ANONYMOUS_ROLE, DEFAULT_PERMISSIONS, compilePolicies, compilePolicy, unionPolicies, type Policy } from './permissions.js';
export { AuthSection, CHANNEL_NAMES, type AuthConfig, type ChannelName, type RolePermissionsInput } from '../config/auth-section.js';
export { SessionExpiry } from './session-expiry.js';

/**
 * Builds the auth service of one server.
 * @throws ConfigError when a permission names an unknown stream, an API key an unknown role, or a key
 *   file cannot be read / parsed
 */
export function createAuth(config: Config, registry: client.Registry): AuthService {
  const policies = compilePolicies(config.auth.permissions);
  const verifier = new CredentialVerifier(config.auth, config.publish.api_keys, new Set(policies.keys()));
  return new AuthService(config.auth, verifier, policies, registry);
}
