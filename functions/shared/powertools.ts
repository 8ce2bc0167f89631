import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import type { MetricUnit as MetricUnitType } from '@aws-lambda-powertools/metrics/types';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { Logger as LoggerPort } from '@windhover/core';
import { METRICS_NAMESPACE } from './env-names';
import type { MetricsSink } from './metered-execution-repository';

/** Powertools built once per function (service name from POWERTOOLS_SERVICE_NAME). */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'windhover' });
export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'windhover' });
export const tracer = new Tracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'windhover' });

/** The runtime's Logger port on top of Powertools' structured JSON logger. */
export const loggerPort: LoggerPort = {
  debug: (message, attributes) => logger.debug(message, { ...attributes }),
  info: (message, attributes) => logger.info(message, { ...attributes }),
  warn: (message, attributes) => logger.warn(message, { ...attributes }),
  error: (message, attributes) => logger.error(message, { ...attributes }),
};

/** EMF metrics through Powertools: dimensioned metrics go out as single metrics, the rest with the invocation's flush. */
export const metricsSink: MetricsSink = {
  count: (name, value, dimensions) => emit(name, MetricUnit.Count, value, dimensions),
  milliseconds: (name, value, dimensions) => emit(name, MetricUnit.Milliseconds, value, dimensions),
};

function emit(name: string, unit: MetricUnitType, value: number, dimensions?: Readonly<Record<string, string>>): void {
  if (!dimensions || Object.keys(dimensions).length === 0) {
    metrics.addMetric(name, unit, value);
    return;
  }
  const single = metrics.singleMetric();
  for (const [k, v] of Object.entries(dimensions)) single.addDimension(k, v);
  single.addMetric(name, unit, value);
}
