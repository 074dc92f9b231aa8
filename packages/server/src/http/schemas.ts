/**
 * Building blocks of the HTTP API's response schemas (TypeBox, so each is JSON Schema): the one error
 * body of docs/PROTOCOL-ERRORS.md and small helpers. Response schemas document the API (OpenAPI at
 * /docs/json, so a generated client gets real types); they do not shape what is sent: the server
 * serializes with JSON.stringify (http/openapi-conventions.ts), and a contract test validates real
 * responses against them (test/http/contract.test.ts).
 */
import { Type, type TSchema } from '@sinclair/typebox';
import { ErrorCode } from '@tablecast/protocol';

/** `{error: {code, message, details?}}`: every 4xx/5xx body (component `Error`). */
export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.Union(Object.values(ErrorCode).map((c) => Type.Literal(c)), { description: 'a code of the protocol error table (docs/PROTOCOL-ERRORS.md)' }),
      message: Type.String({ description: 'for people; do not parse' }),
      details: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'machine-readable specifics, e.g. `path` of the bad field, `retry_after_s`' })),
    }),
  },
  { $id: 'Error', title: 'Error', description: 'the one error shape of the HTTP API', additionalProperties: true },
);

/** A reference to {@link ErrorBody} (registered with `app.addSchema`). */
export const ErrorRef = Type.Unsafe<unknown>({ $ref: 'Error#' });

/** `T` or null. */
export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/** An object with these properties and possibly more (the API may add fields in a minor version). */
export const Open = (properties: Record<string, TSchema>, description?: string) =>
  Type.Object(properties, { additionalProperties: true, ...(description ? { description } : {}) });

/** A JSON object whose fields are described elsewhere (config values, a component's details). */
export const AnyObject = (description: string) => Type.Record(Type.String(), Type.Unknown(), { description });

/** UTC ISO-8601 time. */
export const Timestamp = Type.String({ description: 'UTC ISO-8601 time' });

/** Health status of a component or of the whole server. */
export const HealthStatus = Type.Union([Type.Literal('healthy'), Type.Literal('degraded'), Type.Literal('unhealthy')]);
