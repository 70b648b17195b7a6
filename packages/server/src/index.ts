export { buildApp, datamonApp, type AppOptions } from './app.ts';
export { startServer, type RunningRole, type StartServerOptions } from './server.ts';
export { errorBody, HttpError, type ErrorBody } from './errors.ts';
export { HOW_TO_SET_AUTH, type Principal } from './plugins/auth.ts';
