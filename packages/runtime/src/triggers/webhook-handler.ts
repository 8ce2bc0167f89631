import { randomUUID } from 'node:crypto';
import type { ConditionContext, Execution, FlowWithSource, JsonValue, TriggerDefinition, TriggerKey } from '@windhover/core';
import {
  conditionsMatch,
  isTerminated,
  isWebhookTrigger,
  isWindhoverError,
  readLabels,
  render,
  renderTyped,
  triggerExecutionId,
} from '@windhover/core';
import { errorBody } from '../http/error-response';
import type { ApiResponse } from '../http/http-types';
import { executionJson, executionUrl } from '../http/routes/execution-json';
import type { TriggerDeps } from './trigger-deps';
import { renderTriggerInputs, triggerContext, triggerRenderOptions } from './trigger-render';
import { SIGNATURE_TYPES, type SignatureType, constantTimeEquals, verifySignature } from './webhook-signature';
import { defaultHolidayCalendar } from './date-holidays-calendar';

export interface WebhookRequest {
  readonly tenantId: string;
  readonly namespace: string;
  readonly flowId: string;
  readonly key: string;
  readonly method: string;
  /** Lower-cased names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string | readonly string[]>>;
  readonly body: Uint8Array;
  /** Path of the request, for error bodies. */
  readonly path: string;
}

const DEFAULT_MAX_BODY = 10 * 1024 * 1024;
const DEFAULT_WAIT_MS = 29_000;

/**
 * Kestra's webhook endpoint (core-spec §5.3): finds the flow's Webhook
 * trigger by key (constant-time), checks the optional signature, builds
 * `trigger.body/headers/parameters`, applies conditions (204 when they say
 * no), renders inputs (422) and starts the execution; with `wait` it answers
 * when the execution ends, with `returnOutputs` the body is the flow outputs.
 * 404 unknown flow or key, 409 disabled flow or trigger, 401 bad signature,
 * 413 body over the limit.
 */
export async function handleWebhook(deps: TriggerDeps, req: WebhookRequest, baseUrl: string): Promise<ApiResponse> {
  const fail = (status: number, message: string): ApiResponse => ({
    status,
    headers: { 'content-type': 'application/json' },
    body: errorBody(message, req.path),
  });
  if (req.body.byteLength > (deps.options?.webhookMaxBodyBytes ?? DEFAULT_MAX_BODY)) return fail(413, 'Request body is too large');

  const fw = await deps.ports.flows.get(req.tenantId, req.namespace, req.flowId);
  const candidates = (fw?.flow.triggers ?? []).filter(isWebhookTrigger);
  const renderOptions = triggerRenderOptions(deps, req.tenantId, req.namespace);
  // Compare the key with every webhook trigger, without stopping at the first match.
  let trigger: TriggerDefinition | undefined;
  for (const t of candidates) {
    let key = '';
    try {
      key = typeof t.key === 'string' ? await render(t.key, { flow: { id: req.flowId, namespace: req.namespace } }, renderOptions) : '';
    } catch (e) {
      deps.ports.logger.error('webhook key could not be rendered', { flowId: req.flowId, namespace: req.namespace, trigger: t.id, error: String(e) });
    }
    if (constantTimeEquals(key, req.key) && key !== '' && !trigger) trigger = t;
  }
  // Same work when the flow has no webhook trigger at all.
  if (candidates.length === 0) constantTimeEquals(req.key, `${req.key}\u0000`);
  if (!fw || !trigger) return fail(404, `Flow '${req.namespace}.${req.flowId}' has no webhook trigger with this key`);

  const key: TriggerKey = { tenantId: req.tenantId, namespace: req.namespace, flowId: req.flowId, triggerId: trigger.id };
  const state = await deps.ports.triggers.get(key);
  if (fw.flow.disabled || trigger.disabled === true || state?.disabled) return fail(409, `Flow '${req.namespace}.${req.flowId}' or its trigger is disabled`);

  const signature = trigger.signature as Readonly<Record<string, unknown>> | undefined;
  let visibleHeaders = req.headers;
  if (signature) {
    const type = String(signature.type ?? '').toUpperCase() as SignatureType;
    if (!SIGNATURE_TYPES.includes(type)) return fail(422, `Unknown webhook signature type '${String(signature.type)}'`);
    let secret = '';
    try {
      secret = await render(String(signature.secret ?? ''), {}, renderOptions);
    } catch (e) {
      deps.ports.logger.error('webhook signature secret could not be rendered', { trigger: trigger.id, error: String(e) });
      return fail(500, 'Webhook signature secret is not available');
    }
    const header = typeof signature.header === 'string' ? signature.header : undefined;
    if (!verifySignature({ type, secret, ...(header ? { header } : {}) }, req.headers, req.body)) {
      return fail(401, 'Missing or invalid webhook signature');
    }
    // A GitLab token is the secret itself: it must not end up in the execution's trigger variables.
    if (type === 'GITLAB') {
      const name = (header ?? 'x-gitlab-token').toLowerCase();
      visibleHeaders = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k !== name));
    }
  }

  const variables = {
    body: parseBody(req.body),
    headers: headerMap(visibleHeaders),
    parameters: parameterMap(req.query),
    id: trigger.id,
    type: trigger.type,
  } satisfies { [key: string]: JsonValue };
  const ctx: ConditionContext = {
    flow: { tenantId: req.tenantId, namespace: req.namespace, id: req.flowId, revision: fw.revision },
    variables: triggerContext(fw, variables),
    renderOptions,
    holidays: deps.options?.holidays ?? defaultHolidayCalendar,
  };
  try {
    if (!(await conditionsMatch((trigger.conditions ?? []) as Readonly<Record<string, unknown>>[], ctx))) return { status: 204 };
  } catch (e) {
    if (isWindhoverError(e) && e.code === 'INVALID') return fail(422, e.message);
    throw e;
  }

  let inputs: Record<string, unknown>;
  try {
    inputs = await renderTriggerInputs(trigger.inputs, triggerContext(fw, variables), renderOptions);
  } catch (e) {
    return fail(422, `Unable to render the webhook inputs: ${e instanceof Error ? e.message : String(e)}`);
  }

  const execution = await deps.executions.create({
    id: triggerExecutionId(key, 'webhook', randomUUID()),
    tenantId: req.tenantId,
    namespace: req.namespace,
    flowId: req.flowId,
    revision: fw.revision,
    inputs,
    labels: readLabels(trigger.labels),
    trigger: { id: trigger.id, type: trigger.type, variables },
  });
  if (trigger.wait !== true) return webhookResponse(200, execution, fw, baseUrl);

  const ended = await waitForEnd(deps, execution, deps.options?.webhookWaitTimeoutMs ?? DEFAULT_WAIT_MS, deps.options?.webhookPollMs ?? 100);
  const status = await responseStatus(trigger, ended, fw, renderOptions);
  if (trigger.returnOutputs !== true) return webhookResponse(status, ended, fw, baseUrl);
  const outputs = ended.outputs ?? {};
  if (String(trigger.responseContentType ?? 'application/json').toLowerCase().startsWith('text/plain')) {
    const values = Object.values(outputs);
    const single = values.length === 1 ? values[0] : outputs;
    return { status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: typeof single === 'string' ? single : JSON.stringify(single) };
  }
  return { status, headers: { 'content-type': 'application/json' }, body: outputs };
}

function webhookResponse(status: number, e: Execution, fw: FlowWithSource, baseUrl: string): ApiResponse {
  const full = executionJson(e, fw.flow);
  return {
    status,
    headers: { 'content-type': 'application/json' },
    body: {
      tenantId: e.tenantId,
      id: e.id,
      namespace: e.namespace,
      flowId: e.flowId,
      flowRevision: e.flowRevision,
      trigger: e.trigger,
      outputs: full.outputs ?? null,
      labels: e.labels,
      state: e.state,
      url: executionUrl(baseUrl, e),
    },
  };
}

/** `responseCode` (rendered) or Kestra's default: 200, or 500 when the execution FAILED. */
async function responseStatus(trigger: TriggerDefinition, e: Execution, fw: FlowWithSource, options: ReturnType<typeof triggerRenderOptions>) {
  if (trigger.responseCode !== undefined && trigger.responseCode !== null) {
    const v = Number(await renderTyped(trigger.responseCode, { flow: { id: fw.flow.id, namespace: fw.flow.namespace }, execution: { id: e.id, state: e.state.current } }, options));
    if (Number.isInteger(v) && v >= 100 && v <= 599) return v;
  }
  return e.state.current === 'FAILED' ? 500 : 200;
}

async function waitForEnd(deps: TriggerDeps, created: Execution, timeoutMs: number, pollMs: number): Promise<Execution> {
  if (deps.executions.waitForTerminal) return deps.executions.waitForTerminal(created.tenantId, created.id, timeoutMs);
  const deadline = Date.now() + timeoutMs;
  let current = created;
  while (!isTerminated(current.state.current) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, pollMs));
    current = (await deps.ports.executions.get(created.tenantId, created.id)) ?? current;
  }
  return current;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** `trigger.body`: JSON when it parses, else the text; bytes that are not UTF-8 as base64; null when empty. */
function parseBody(body: Uint8Array): JsonValue {
  if (body.byteLength === 0) return null;
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return Buffer.from(body).toString('base64');
  }
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return text;
  }
}

/**
 * `trigger.headers`: name → list of values. Names come lower-cased from the
 * HTTP layer; each is also given in its canonical Title-Case form so that
 * `trigger.headers['Idempotency-Key']` works as in Kestra.
 */
function headerMap(headers: Readonly<Record<string, string>>): { [key: string]: JsonValue } {
  const out: { [key: string]: JsonValue } = {};
  for (const [name, value] of Object.entries(headers)) {
    const values = [value];
    out[name] = values;
    const canonical = name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
    if (canonical !== name) out[canonical] = values;
  }
  return out;
}

function parameterMap(query: Readonly<Record<string, string | readonly string[]>>): { [key: string]: JsonValue } {
  const out: { [key: string]: JsonValue } = {};
  for (const [k, v] of Object.entries(query)) out[k] = typeof v === 'string' ? [v] : [...v];
  return out;
}
