import type { JsonSchema, PluginDescriptor } from '@windhover/core';
import { anyMap, bool, descriptor, duration, enumOf, int, obj, str, strList, strMap } from './schema-helpers';

const P = 'io.kestra.plugin.core.http';

/** Request properties shared by Request, Download and the polling http.Trigger (core-spec §4.5). */
export const HTTP_REQUEST_PROPERTIES: Record<string, JsonSchema> = {
  uri: str('URL to call'),
  method: enumOf(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'TRACE'], 'HTTP method', 'GET'),
  body: { description: 'Request body (a string; maps and lists are sent as JSON)', type: ['string', 'object', 'array'] },
  formData: anyMap('Form fields; for multipart files use {name, content}'),
  contentType: str('Content-Type of the body', 'application/json'),
  headers: strMap('Request headers'),
  options: obj(
    {
      connectTimeout: duration('Connect timeout'),
      readTimeout: duration('Read timeout', 'PT10S'),
      readIdleTimeout: duration('Read idle timeout', 'PT5M'),
      connectionPoolIdleTimeout: duration('Idle timeout of pooled connections', 'PT0S'),
      maxContentLength: int('Maximum response size in bytes', 10485760),
      proxyType: enumOf(['DIRECT', 'HTTP', 'SOCKS'], 'Proxy type', 'DIRECT'),
      proxyAddress: str('Proxy host'),
      proxyPort: int('Proxy port'),
      proxyUsername: str('Proxy user'),
      proxyPassword: str('Proxy password'),
      defaultCharset: str('Charset when the response does not say', 'UTF-8'),
      followRedirects: bool('Follow redirects', true),
      allowFailed: bool('Do not fail on status >= 400', false),
      logLevel: enumOf(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'], 'Level of request logs'),
      logs: strList('What to log: REQUEST_HEADERS, REQUEST_BODY, RESPONSE_HEADERS, RESPONSE_BODY'),
      basicAuthUser: str('Basic auth user (deprecated: use auth)'),
      basicAuthPassword: str('Basic auth password (deprecated: use auth)'),
      allowedResponseCodes: { type: 'array', items: { type: 'integer' }, description: 'Status codes that do not fail the task' },
    },
    [],
    'HTTP client options',
  ),
  sslOptions: obj({ insecureTrustAllCertificates: bool('Trust every certificate', false) }, [], 'TLS options'),
  auth: obj(
    {
      type: enumOf(['BASIC', 'BEARER'], 'Authentication type'),
      username: str('Basic auth user'),
      password: str('Basic auth password'),
      token: str('Bearer token'),
    },
    ['type'],
    'Request authentication',
  ),
  encryptBody: bool('Store the response body encrypted', false),
};

export const HTTP_DESCRIPTORS: readonly PluginDescriptor[] = [
  descriptor({
    type: `${P}.Request`,
    aliases: ['io.kestra.plugin.fs.http.Request'],
    kind: 'task',
    category: 'runnable',
    title: 'Send an HTTP request',
    properties: { ...HTTP_REQUEST_PROPERTIES, allowFailed: bool('Do not fail on status >= 400', false) },
    required: ['uri'],
  }),
  descriptor({
    type: `${P}.Download`,
    aliases: ['io.kestra.plugin.fs.http.Download'],
    kind: 'task',
    category: 'runnable',
    title: 'Download a file over HTTP into internal storage',
    properties: {
      ...HTTP_REQUEST_PROPERTIES,
      allowFailed: bool('Do not fail on status >= 400', false),
      failOnEmptyResponse: bool('Fail when the response is empty', true),
      saveAs: str('File name of the downloaded file'),
    },
    required: ['uri'],
  }),
];
