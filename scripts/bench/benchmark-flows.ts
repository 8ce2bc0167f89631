/**
 * Kestra's benchmark flows (specs/platform-spec.md §3): benchmark01 (webhook,
 * OutputValues → Log), benchmark02 (webhook, 5 × If), benchmark03 (ForEach of
 * 100 OutputValues). `wait` makes the webhook answer when the execution ends,
 * which is how the open-loop latency benchmark measures "request → end".
 */
export function benchmarkFlows(options: { wait: boolean }): { BENCHMARK01: string; BENCHMARK02: string; BENCHMARK03: string } {
  const waitLines = (returnOutputs: boolean) => (options.wait ? `    wait: true\n${returnOutputs ? '    returnOutputs: true\n' : ''}` : '');
  const BENCHMARK01 = `id: benchmark01
namespace: company.team
inputs:
  - id: name
    type: STRING
    defaults: World
tasks:
  - id: hello
    type: io.kestra.plugin.core.output.OutputValues
    values:
      message: "Hello {{ trigger.parameters.name[0] ?? inputs.name }}"
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ outputs.hello.values.message }}"
outputs:
  - id: message
    type: STRING
    value: "{{ outputs.hello.values.message }}"
triggers:
  - id: webhook
    type: io.kestra.plugin.core.trigger.Webhook
    key: benchmark
${waitLines(true)}`;

  const BENCHMARK02 = `id: benchmark02
namespace: company.team
inputs:
  - id: condition
    type: BOOL
    defaults: true
tasks:
${[1, 2, 3, 4, 5]
  .map(
    (i) => `  - id: if${i}
    type: io.kestra.plugin.core.flow.If
    condition: "{{ inputs.condition }}"
    then:
      - id: then${i}
        type: io.kestra.plugin.core.log.Log
        message: "then ${i}"
    else:
      - id: else${i}
        type: io.kestra.plugin.core.log.Log
        message: "else ${i}"`,
  )
  .join('\n')}
triggers:
  - id: webhook
    type: io.kestra.plugin.core.trigger.Webhook
    key: benchmark
${waitLines(false)}`;

  const BENCHMARK03 = `id: benchmark03
namespace: company.team
tasks:
  - id: foreach
    type: io.kestra.plugin.core.flow.ForEach
    values: "{{ range(1, 100) }}"
    concurrencyLimit: 0
    tasks:
      - id: output
        type: io.kestra.plugin.core.output.OutputValues
        values:
          value: "{{ taskrun.value }}"
`;
  return { BENCHMARK01, BENCHMARK02, BENCHMARK03 };
}
