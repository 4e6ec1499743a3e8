// The HTTP stage: Hono app factory, access control and the Node listener. Only this folder and push/ import hono/ws.
export {
  createApp,
  parseStepMs,
  BadRequestError,
  MAX_BODY_BYTES,
  MAX_WHAT_IF_BODY_BYTES,
  type AppDeps,
  type SnapshotQuery,
  type HealthReport,
} from './app.ts';
export {
  authorizeUpgrade,
  canRead,
  COOKIE_MAX_AGE_SEC,
  createAuth,
  decideAccess,
  loopbackHostOnly,
  redactTokens,
  rememberToken,
  requireSupervisor,
  requireViewer,
  SUPERVISOR_COOKIE,
  VIEWER_COOKIE,
  type AccessDecision,
  type Auth,
  type AuthOptions,
  type Credentials,
  type Role,
} from './auth.ts';
export { listen, type Listening } from './listen.ts';
