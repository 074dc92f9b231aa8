/**
 * @tablecast/common: the few generic helpers several packages need, kept once.
 * - circuit breaker (closed -> open -> half-open) and retry with exponential backoff, with one rule
 *   for what is retryable ({@link isRetryable});
 * - TypeBox shorthands for configuration sections;
 * - credential redaction of URLs for logs.
 * Node-free and dependency-free apart from TypeBox.
 */
export { CircuitBreaker, CircuitOpenError, BREAKER_STATE_VALUE, type BreakerState, type BreakerHealth, type CircuitBreakerOptions } from './circuit-breaker.js';
export { withRetry, isRetryable, backoffDelays, type RetryPolicy, type RetryHooks } from './retry.js';
export { IntSetting, NumSetting, Section } from './schema-helpers.js';
export { redactCredentials, CREDENTIAL_PARAMS } from './redact-url.js';
