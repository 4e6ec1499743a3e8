// The HTTP stage: Hono app factory and the Node listener. Only this folder and push/ import hono/ws.
export { createApp, parseStepMs, BadRequestError, type AppDeps, type SnapshotQuery, type HealthReport } from './app.ts';
export { listen, type Listening } from './listen.ts';
