import type { RequestIdVariables } from 'hono/request-id';

/** Hono environment shared by the app, its routes and middleware. */
export interface AppEnv {
  Variables: RequestIdVariables;
}
