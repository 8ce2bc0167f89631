export { ExpressionError, isExpressionError } from './expression-error';
export type { ExpressionPosition } from './expression-error';
export type { ExpressionFunctions } from './functions-port';
export type { RenderOptions } from './render-options';
export { SecretMasker, SECRET_MASK } from './secret-masker';
export { truthy } from './truthy';
export {
  render,
  renderTyped,
  renderSync,
  renderTypedSync,
  renderForDisplay,
  printExpressionValue,
  isTemplate,
  compile,
} from './renderer';
export { preloadJq } from './jq';
export type { CompiledTemplate, ExpressionContext } from './renderer';
