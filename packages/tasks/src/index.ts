export {};
export * from './git';
export { BUILTIN_DESCRIPTORS, builtinDescriptor, createDescriptorRegistry } from './schemas/index';
