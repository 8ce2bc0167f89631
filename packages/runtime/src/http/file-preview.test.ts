import { describe, expect, it } from 'vitest';
import { filePreview } from './file-preview';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('filePreview', () => {
  it('previews Ion rows as a LIST cut at maxLine', () => {
    const p = filePreview('kestra:///a/b/executions/x/tasks/t/r/rows.ion', bytes('{a:1}\n{a:2}\n{a:3}\n'), 2);
    expect(p).toEqual({ extension: 'ion', type: 'LIST', content: [{ a: 1 }, { a: 2 }], maxLine: 2, truncated: true });
  });

  it('previews text files line by line, and Markdown as MARKDOWN', () => {
    expect(filePreview('/x/data.csv', bytes('h1,h2\n1,2\n3,4\n'), 2)).toEqual({ extension: 'csv', type: 'TEXT', content: 'h1,h2\n1,2', maxLine: 2, truncated: true });
    expect(filePreview('/x/data.csv', bytes('h1,h2\n1,2\n'), 5)).toMatchObject({ content: 'h1,h2\n1,2', truncated: false });
    expect(filePreview('/x/README.md', bytes('# Title\n'), 10)).toMatchObject({ type: 'MARKDOWN', content: '# Title' });
  });

  it('decodes with the encoding asked for and refuses an unknown one', () => {
    const latin1 = new Uint8Array([0x63, 0x61, 0x66, 0xe9]);
    expect(filePreview('/x/a.txt', latin1, 10, 'ISO-8859-1').content).toBe('café');
    expect(() => filePreview('/x/a.txt', latin1, 10, 'no-such-charset')).toThrow("Unable to preview using encoding 'no-such-charset'");
  });

  it('sends images and PDF as base64', () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);
    expect(filePreview('/x/chart.PNG', png, 10)).toEqual({ extension: 'PNG', type: 'IMAGE', content: Buffer.from(png).toString('base64'), maxLine: 10, truncated: false });
    expect(filePreview('/x/report.pdf', png, 10).type).toBe('PDF');
  });

  it('answers 400 for an Ion file that is not Ion', () => {
    expect(() => filePreview('/x/bad.ion', bytes('{oops'), 10)).toThrow(/as Ion/);
  });
});
