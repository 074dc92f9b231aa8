/**
 * `@tablecast/server/testing`: tools for testing a tablecast server from outside (the suite's fuzz
 * test and `bench/fuzz.ts`). Not part of the server's runtime.
 */
export { fuzzHttp, fuzzRequest, prng, sendRaw, type FuzzAnswer, type FuzzReport, type FuzzRequest } from './http-fuzz.js';
