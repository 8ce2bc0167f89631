export type { RuntimePorts } from './runtime-ports';
export type { ApiRequest, ApiResponse, Route, RouteContext, PathParams } from './http/http-types';
