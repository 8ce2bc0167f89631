import type { PluginDescriptor } from '@windhover/core';
import { anyMap, bool, descriptor, enumOf, obj, str, strList } from './schema-helpers';

/** Task runners (core-spec §9). */
export const RUNNER_DESCRIPTORS: readonly PluginDescriptor[] = [
  descriptor({
    type: 'io.kestra.plugin.core.runner.Process',
    aliases: ['io.kestra.core.models.tasks.runners.types.ProcessTaskRunner'],
    kind: 'task-runner',
    title: 'Run in the worker environment as a child process',
    properties: {},
  }),
  descriptor({
    type: 'io.kestra.plugin.scripts.runner.docker.Docker',
    aliases: ['io.kestra.plugin.scripts.runner.docker.DockerTaskRunner'],
    kind: 'task-runner',
    title: 'Run in a container (Fargate on AWS)',
    properties: {
      host: str('Docker host'),
      config: { description: 'Docker config.json content', type: ['string', 'object'] },
      credentials: obj(
        {
          registry: str('Registry'),
          username: str('User'),
          password: str('Password'),
          registryToken: str('Registry token'),
          identityToken: str('Identity token'),
          auth: str('Base64 auth'),
        },
        [],
        'Registry credentials',
      ),
      user: str('User inside the container'),
      entryPoint: { ...strList('Container entry point'), default: [''] },
      extraHosts: strList('Extra /etc/hosts entries'),
      networkMode: str('Network mode'),
      volumes: strList('Bind mounts (needs volumeEnabled)'),
      pullPolicy: enumOf(['IF_NOT_PRESENT', 'ALWAYS', 'NEVER'], 'Image pull policy', 'IF_NOT_PRESENT'),
      deviceRequests: { type: 'array', items: { type: 'object' }, description: 'Device requests (GPU)' },
      cpu: obj({ cpus: { type: ['number', 'string'], description: 'CPUs' } }, [], 'CPU limits'),
      memory: anyMap('Memory limits: memory, memorySwap, memorySwappiness, memoryReservation, kernelMemory, oomKillDisable'),
      shmSize: str('Size of /dev/shm'),
      privileged: bool('Privileged container', false),
      fileHandlingStrategy: enumOf(['VOLUME', 'MOUNT'], 'How files reach the container', 'VOLUME'),
      delete: bool('Remove the container after the run', true),
      resume: bool('Reattach to a running container after a worker restart', true),
      wait: bool('Wait for the container to end', true),
    },
  }),
];
