import { describe, expect, it } from 'vitest';
import {
  folderOfNamespace,
  namespaceOfFolder,
  normalizeFlowSource,
  readFlowIdentity,
  rewriteNamespaceReferences,
  rewriteTopLevelNamespace,
} from './flow-source';

describe('flow source helpers', () => {
  it('normalizes CRLF, revision lines and surrounding whitespace', () => {
    expect(normalizeFlowSource('id: a\r\nrevision: 3\r\nnamespace: b\r\n\r\n')).toBe('id: a\nnamespace: b');
  });
  it('rewrites only the top-level namespace line', () => {
    const src = 'id: a\nnamespace: dev\ntasks:\n  - id: s\n    type: io.kestra.plugin.core.flow.Subflow\n    namespace: dev\n';
    expect(rewriteTopLevelNamespace(src, 'prod')).toBe(src.replace('namespace: dev\ntasks', 'namespace: prod\ntasks'));
  });
  it('adds a namespace line when the flow has none', () => {
    expect(rewriteTopLevelNamespace('id: a\ntasks: []\n', 'x')).toBe('namespace: x\nid: a\ntasks: []\n');
  });
  it('rewrites references to the source namespace and its children but not lookalike prefixes', () => {
    const src = 'namespace: dev\nx:\n  namespace: dev.team\ny:\n  namespace: devops\n';
    expect(rewriteNamespaceReferences(src, 'dev', 'prod')).toBe('namespace: prod\nx:\n  namespace: prod.team\ny:\n  namespace: devops\n');
  });
  it('reads the identity or reports the line of a YAML error', () => {
    expect(readFlowIdentity('id: a\nnamespace: b\ntasks: []').identity).toEqual({ id: 'a', namespace: 'b' });
    const bad = readFlowIdentity('namespace: b\ntasks:\n  - id: x\n   type: y\nid: [a\n');
    expect(bad.problem?.line).toBeGreaterThanOrEqual(3);
  });
  it('maps folders to child namespaces and back', () => {
    expect(namespaceOfFolder('git', 'tutorial/sub')).toBe('git.tutorial.sub');
    expect(namespaceOfFolder('git', '')).toBe('git');
    expect(folderOfNamespace('dev', 'dev.tutorial.x')).toBe('tutorial/x');
    expect(folderOfNamespace('dev', 'dev')).toBe('');
  });
});
