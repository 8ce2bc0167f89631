import { describe, expect, it } from 'vitest';
import { splitYamlDocuments } from './flow-validator';
import { replaceNamespace } from './flow-service';

describe('splitYamlDocuments', () => {
  it('splits on document markers and keeps each document verbatim, comments included', () => {
    const docs = splitYamlDocuments('---\n# first\nid: a\n--- # second\nid: b\nscript: |\n  ---\n  still b\n...\n');
    expect(docs).toEqual(['# first\nid: a\n', 'id: b\nscript: |\n  ---\n  still b\n']);
  });

  it('handles CRLF line endings without changing the documents', () => {
    expect(splitYamlDocuments('id: a\r\n---\r\nid: b\r\n')).toEqual(['id: a\r\n', 'id: b\r\n']);
  });

  it('returns a single document unchanged', () => {
    expect(splitYamlDocuments('id: a\nnamespace: b\n')).toEqual(['id: a\nnamespace: b\n']);
  });
});

describe('replaceNamespace', () => {
  it('rewrites only the top-level namespace and keeps its comment', () => {
    const src = 'id: a\nnamespace: dev.team # where\ntasks:\n  - id: s\n    type: io.kestra.plugin.core.flow.Subflow\n    namespace: dev.team\n';
    expect(replaceNamespace(src, 'prod.team')).toBe(src.replace('namespace: dev.team # where', 'namespace: prod.team # where'));
  });
});
