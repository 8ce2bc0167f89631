export { minimalValidator as e2eValidator } from '../api/api-harness';
