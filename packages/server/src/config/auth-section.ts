/**
 * The `auth` configuration section (TypeBox): JWT verification keys, static API keys, role claims and
 * per-role permissions (streams to subscribe / publish, channels to connect to, groups, admin REST).
 * Auth is off by default (the embedded demo); `/ws/system-health` and `/ws/{user_id}` need a token
 * whatever `enabled` says. See docs/AUTH.md.
 */
import { Type, type Static } from '@sinclair/typebox';

/** WebSocket channels a role may connect to (`gateway` = /api/v1/ws and /api/v1/websocket/ws). */
export const CHANNEL_NAMES = ['gateway', 'detection', 'system-health', 'status', 'user'] as const;
/** One channel name. */
export type ChannelName = (typeof CHANNEL_NAMES)[number];

/** JWS algorithms accepted in `auth.jwt.algorithms`. */
export const JWT_ALGORITHMS = ['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;

const NameList = (description: string) =>
  Type.Union([Type.Literal('*'), Type.Array(Type.String({ minLength: 1 }))], { description });

/** Permissions of one role: `'*'` (everything, admin included) or the lists below. */
export const RolePermissions = Type.Union([
  Type.Literal('*'),
  Type.Object(
    {
      subscribe: Type.Optional(NameList("streams the role may subscribe to ('*' = all)")),
      publish: Type.Optional(NameList("streams the role may publish on ('*' = all)")),
      channels: Type.Optional(
        Type.Union([Type.Literal('*'), Type.Array(Type.Union(CHANNEL_NAMES.map((c) => Type.Literal(c))))], {
          description: "WebSocket channels the role may connect to ('*' = all)",
        }),
      ),
      groups: Type.Optional(NameList("client groups the role may join ('*' = any)")),
      admin: Type.Optional(Type.Boolean({ description: 'may call the admin REST routes' })),
    },
    { additionalProperties: false },
  ),
]);
/** Permissions of one role as configured. */
export type RolePermissionsInput = Static<typeof RolePermissions>;

/** The `auth` section. */
export const AuthSection = Type.Object(
  {
    enabled: Type.Boolean({
      default: false,
      description: 'require credentials on /api/v1/ws, /ws/status and the admin REST routes (off in the embedded demo)',
    }),
    allow_anonymous: Type.Boolean({
      default: false,
      description: 'with enabled: connections without a token get the `anonymous` permissions instead of 4001',
    }),
    role_claims: Type.Array(Type.String({ minLength: 1 }), {
      default: ['role', 'roles'],
      minItems: 1,
      description: 'JWT claims holding the role(s): a string, a space/comma separated string or an array; dotted paths allowed',
    }),
    subject_claim: Type.String({ default: 'sub', minLength: 1, description: 'JWT claim naming the user (matched by /ws/{user_id})' }),
    default_role: Type.String({ default: 'subscriber', minLength: 1, description: 'role of a valid JWT without a role claim' }),
    jwt: Type.Object(
      {
        secret: Type.Optional(Type.String({ minLength: 32, description: 'HS256 shared secret (at least 32 characters)' })),
        public_key: Type.Optional(Type.String({ minLength: 1, description: 'PEM SPKI public key (RS256/ES256/...)' })),
        public_key_file: Type.Optional(Type.String({ minLength: 1, description: 'file holding a PEM SPKI public key' })),
        jwks_file: Type.Optional(Type.String({ minLength: 1, description: 'file holding a JSON Web Key Set ({keys: [...]})' })),
        algorithms: Type.Optional(
          Type.Array(Type.Union(JWT_ALGORITHMS.map((a) => Type.Literal(a))), {
            minItems: 1,
            description: 'accepted algorithms; default derived from the configured keys',
          }),
        ),
        issuer: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())], { description: 'required `iss`' })),
        audience: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())], { description: 'required `aud`' })),
        clock_tolerance_s: Type.Number({ default: 0, minimum: 0, maximum: 3600, description: 'leeway for exp/nbf/iat, seconds' }),
        require_exp: Type.Boolean({ default: false, description: 'refuse tokens without `exp`' }),
      },
      { additionalProperties: false, default: {} },
    ),
    api_keys: Type.Array(
      Type.Object(
        {
          key: Type.String({ minLength: 8 }),
          role: Type.String({ minLength: 1 }),
          subject: Type.Optional(Type.String({ minLength: 1, description: 'user id of the key (default `api-key:<role>`)' })),
        },
        { additionalProperties: false },
      ),
      { default: [], description: 'static API keys (`?token=`, Authorization: Bearer or X-API-Key)' },
    ),
    permissions: Type.Record(Type.String({ minLength: 1 }), RolePermissions, {
      default: {},
      description: 'per-role permissions; replaces the built-in entry of the same role (anonymous, subscriber, publisher, admin)',
    }),
  },
  { additionalProperties: false, default: {} },
);

/** The effective `auth` section. */
export type AuthConfig = Static<typeof AuthSection>;
