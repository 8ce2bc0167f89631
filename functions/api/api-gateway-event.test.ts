import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { toApiGatewayResult, toApiRequest } from './api-gateway-event';

const event = (over: Partial<APIGatewayProxyEventV2> = {}): APIGatewayProxyEventV2 => ({
  version: '2.0',
  routeKey: '$default',
  rawPath: '/api/v1/main/flows/company.team/hello',
  rawQueryString: 'labels=a%3A1&labels=b:2&q=hello+world&flag',
  headers: { 'Content-Type': 'application/x-yaml', authorization: 'Basic eA==' },
  cookies: ['BASIC_AUTH=abc', 'other=1'],
  requestContext: {
    accountId: '1',
    apiId: 'a',
    domainName: 'x',
    domainPrefix: 'x',
    http: { method: 'POST', path: '/api/v1/main/flows/company.team/hello', protocol: 'HTTP/1.1', sourceIp: '10.0.0.1', userAgent: 'ua' },
    requestId: 'r',
    routeKey: '$default',
    stage: '$default',
    time: '',
    timeEpoch: 0,
  },
  isBase64Encoded: true,
  body: Buffer.from('id: hello\n').toString('base64'),
  ...over,
});

describe('API Gateway HTTP API events', () => {
  it('turns an event into the shared request with repeated query values, lower-cased headers and cookies', () => {
    const req = toApiRequest(event());
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/api/v1/main/flows/company.team/hello');
    expect(req.query).toEqual({ labels: ['a:1', 'b:2'], q: 'hello world', flag: '' });
    expect(req.headers['content-type']).toBe('application/x-yaml');
    expect(req.headers.cookie).toBe('BASIC_AUTH=abc; other=1');
    expect(new TextDecoder().decode(req.body)).toBe('id: hello\n');
    expect(req.sourceIp).toBe('10.0.0.1');
  });

  it('reads a plain-text body that API Gateway did not encode', () => {
    expect(new TextDecoder().decode(toApiRequest(event({ isBase64Encoded: false, body: '{"a":1}' })).body)).toBe('{"a":1}');
  });

  it('sends objects as JSON, bytes as base64 and cookies apart', () => {
    expect(toApiGatewayResult({ status: 200, body: { a: 1 } })).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    const bin = toApiGatewayResult({ status: 200, headers: { 'content-type': 'application/zip', 'set-cookie': 'a=b' }, body: new Uint8Array([0, 255]) });
    expect(bin).toMatchObject({ isBase64Encoded: true, body: 'AP8=', cookies: ['a=b'], headers: { 'content-type': 'application/zip' } });
    expect(toApiGatewayResult({ status: 204 })).toEqual({ statusCode: 204, headers: {} });
  });
});
