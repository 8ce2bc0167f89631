import type { ExpressionFunctions } from '../functions-port';

/** An execution context shaped like Kestra's (§7.2), used by the expression tests. */
export const CONTEXT: Readonly<Record<string, unknown>> = {
  flow: { id: 'hello', namespace: 'company.team', revision: 3, tenantId: 'main' },
  execution: { id: '4wjtkzwVGBM9yKnjm3yv8r', startDate: '2024-01-15T10:30:00.123456Z', state: 'RUNNING', originalId: '4wjtkzwVGBM9yKnjm3yv8r' },
  task: { id: 'debug_expressions', type: 'io.kestra.plugin.core.debug.Return' },
  taskrun: { id: '5xDZ3Ec8Ee4Kv7ziGWKoSZ', startDate: '2024-01-15T10:30:01Z', attemptsCount: 0, parentId: 'p1', value: 'b' },
  parent: { taskrun: { value: 'a' }, outputs: { value: 'parent-out' } },
  parents: [{ taskrun: { value: 'a' }, outputs: {} }],
  inputs: {
    name: 'world',
    region: 'eu',
    optional_input: null,
    mydate: null,
    title: ' Quarterly Report: Q1 2025 (FINAL) ',
    myInput: 'from input',
    'my-file': 'kestra:///company/team/hello/file.txt',
    mainString: 'hello world',
    subString: 'world',
    data: { value: [1, 2, 3] },
    count: 5,
    price: 2.5,
    payload: {
      name: 'John Doe',
      score: { English: 72, Maths: 88, French: 95, Spanish: 85, Science: 91 },
      address: { city: 'Paris', country: 'France' },
      graduation_years: [2020, 2021, 2022, 2023],
    },
  },
  outputs: {
    first: { value: 'one' },
    'second-task': { value: 'two' },
    t: { values: { x: 42 } },
    generate: { value: '[{"name": "alpha", "value": 1}, {"name": "bravo", "value": 2}]' },
    make_data: { a: { b: { values: { data: 'a-b-data' } } } },
    download: { uri: 'kestra:///company/team/hello/download.csv' },
    empty: { outputFiles: {} },
  },
  vars: {
    my_variable: 'my_value',
    trigger_or_yesterday: "{{ trigger.date ?? (execution.startDate | dateAdd(-1, 'DAYS')) }}",
    input_or_yesterday: "{{ inputs.mydate ?? (execution.startDate | dateAdd(-1, 'DAYS')) }}",
    yaml_data: 'key1: value1\nkey2: value2\n',
    nested: '{{ vars.my_variable }}',
    deep: '{{ vars.nested }}',
  },
  labels: { team: 'data', env: 'dev' },
  envs: { foo: 'bar' },
  globals: { region: 'eu-west-1' },
  kestra: { environment: 'dev', url: 'http://localhost:8080' },
  namespace: { github: { token: '{{ flow.namespace }}-token' } },
  tasks: { extract: { state: 'SUCCESS' }, load: { state: 'FAILED' }, each: { x: { state: 'FAILED' }, y: { state: 'SUCCESS' } } },
  users: [
    { name: 'Alice', city: 'Paris', email: 'alice@example.com' },
    { name: 'Bob', city: 'Lyon', email: '' },
  ],
  articles: [],
  category: 'sports',
  news: 'N',
  sports: 'S',
  map: { a: 1, b: 2 },
  items: ['x', 'y', 'z'],
  stringDate: '2024-January-15',
  user: { email: null, phoneNumber: null },
};

/** Deterministic ports for the tests. */
export function testFunctions(overrides: Partial<ExpressionFunctions> = {}): ExpressionFunctions {
  const secrets: Record<string, string> = { API_KEY: 's3cr3t-value', GITHUB_ACCESS_TOKEN: 'ghp_abc123' };
  const kv: Record<string, Record<string, unknown>> = {
    'company.team': { MY_KEY: 'my-kv-value', NUMBERS: [1, 2, 3], CONFIG: { retries: 3 } },
    'other.namespace': { MY_KEY: 'other-value' },
    company: { PARENT_KEY: 'from-parent' },
  };
  const files: Record<string, string> = { 'example.txt': 'Hello, World!', 'queries/my_query.sql': 'SELECT 1' };
  return {
    secret: async (key) => {
      const v = secrets[key];
      if (v === undefined) throw new Error(`Cannot find secret for key '${key}'.`);
      return v;
    },
    kv: async (key, { namespace, inherit }) => {
      // Kestra's inheritance: without an explicit namespace, parent namespaces are searched too.
      let ns = namespace ?? '';
      for (;;) {
        const v = kv[ns]?.[key];
        if (v !== undefined || !inherit || !ns.includes('.')) return v;
        ns = ns.slice(0, ns.lastIndexOf('.'));
      }
    },
    read: async (path, { namespace }) => {
      if (namespace && namespace !== 'company.team') return `content of ${namespace}/${path}`;
      const v = files[path];
      if (v === undefined) throw new Error(`File '${path}' not found`);
      return v;
    },
    fileURI: (path) => `kestra:///company/team/_files/${path}`,
    fileSize: async (uri) => (uri.endsWith('download.csv') ? 1234 : 0),
    fileExists: async (uri) => uri.endsWith('download.csv'),
    isFileEmpty: async (uri) => !uri.endsWith('download.csv'),
    errorLogs: async () => [{ taskId: 'load', level: 'ERROR', message: 'boom' }],
    now: () => new Date('2024-06-19T12:29:52.343Z'),
    uuid: () => '3Fk7hX1eJqN8gTzW0aBcDe',
    random: () => 0.5,
    ...overrides,
  };
}
