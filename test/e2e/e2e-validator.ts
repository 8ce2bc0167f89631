import { createCoreFlowValidator } from '@windhover/runtime';
import { createTaskRegistry } from '@windhover/tasks';

/** The real flow validator with every registered plugin schema, as `windhover server local` uses it. */
export const e2eValidator = createCoreFlowValidator(createTaskRegistry());
