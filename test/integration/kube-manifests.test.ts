// deploy/kubernetes/ checked offline, with no cluster: `kubectl kustomize` renders the example overlay and the
// ServiceMonitor (the kustomization, its patches and generators hold together), every rendered object is
// validated against the Kubernetes OpenAPI schema of its kind (the npm kubernetes-models validators: required
// fields, types, enums, formats; they do NOT refuse unknown fields, which only a cluster's server-side
// validation does), and then what agent-runner needs of them is checked by name: one replica, the PVC under
// the config's work tree and state dir, the secrets as a 0600 file and never in the environment, limits,
// the probes on the fast path, the metrics port from serve's flag to the ServiceMonitor.
// `kubectl apply --dry-run=client` is not used: it asks the API server for its schema and fails without one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';
import { parse as parseToml } from 'smol-toml';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { Service } from 'kubernetes-models/v1/Service';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { REPO_ROOT } from '../helpers/env.js';
import { parseFast } from '../../src/cli/fast-path.js';
import { DEFAULT_SELECTOR } from '../../src/cli/kube-sources.js';

const KUBE = path.join(REPO_ROOT, 'deploy', 'kubernetes');
type Obj = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> }; [k: string]: any };

function render(dir: string): Obj[] {
  const r = spawnSync('kubectl', ['kustomize', path.join(KUBE, dir)], { encoding: 'utf8', env: { ...process.env, KUBECONFIG: '/nonexistent' } });
  assert.equal(r.status, 0, `kubectl kustomize ${dir}: ${r.stderr}${r.error ?? ''}`);
  return parseAllDocuments(r.stdout).map((d) => d.toJSON() as Obj).filter(Boolean);
}

const MODELS: Record<string, new (o: any) => { validate(): void }> = {
  'apps/v1 StatefulSet': StatefulSet,
  'v1 Service': Service,
  'v1 ConfigMap': ConfigMap,
  'networking.k8s.io/v1 NetworkPolicy': NetworkPolicy,
  'monitoring.coreos.com/v1 ServiceMonitor': ServiceMonitor,
};

function validate(o: Obj): void {
  const Model = MODELS[`${o.apiVersion} ${o.kind}`];
  assert.ok(Model, `no schema here for ${o.apiVersion} ${o.kind}: add its model`);
  new Model(o).validate();
}

test('the validator refuses what a cluster would: a wrong type, a missing required field', () => {
  const [sts] = render('overlays/example').filter((o) => o.kind === 'StatefulSet');
  assert.throws(() => validate({ ...sts, spec: { ...sts.spec, replicas: 'one' } }), /replicas must be integer/);
  assert.throws(() => validate({ ...sts, spec: { ...sts.spec, selector: undefined } }), /selector/);
});

test('deploy/kubernetes: the example overlay and the ServiceMonitor render, validate, and hold what agent-runner needs', () => {
  const objs = render('overlays/example');
  const monitors = render('servicemonitor');
  for (const o of [...objs, ...monitors]) validate(o);
  assert.deepEqual(objs.map((o) => o.kind).sort(), ['ConfigMap', 'NetworkPolicy', 'Service', 'StatefulSet'], 'no Namespace: several projects share one');

  const sts = objs.find((o) => o.kind === 'StatefulSet')!;
  const spec = sts.spec.template.spec;
  assert.equal(sts.spec.replicas, 1, 'one supervisor per work tree');
  const [main] = spec.containers;
  const containers = [...spec.initContainers, ...spec.containers];

  // pods carry the labels monitor --kube lists by default, and exec lands in serve's container
  const [k, v] = DEFAULT_SELECTOR.split('=');
  assert.equal(sts.spec.template.metadata.labels[k], v);
  assert.equal(sts.spec.template.metadata.annotations['kubectl.kubernetes.io/default-container'], main.name);
  for (const c of containers) assert.equal(c.image, 'registry.example.com/agent-runner:0.1.0', `${c.name}: the overlay's image`);

  // the config the pod reads: work tree and state dir both on the PVC
  const cm = objs.find((o) => o.kind === 'ConfigMap')!;
  const env = (name: string) => main.env.find((e: any) => e.name === name)?.value;
  const cfgMount = main.volumeMounts.find((m: any) => m.name === spec.volumes.find((x: any) => x.configMap)?.name);
  assert.equal(cm.metadata.name, spec.volumes.find((x: any) => x.configMap).configMap.name, 'the generated ConfigMap, by its hashed name');
  assert.equal(path.dirname(env('AGENT_RUNNER_CONFIG')), cfgMount.mountPath);
  const config = parseToml(cm.data['agent-runner.toml']) as any;
  const pvc = sts.spec.volumeClaimTemplates[0].metadata.name;
  const dataAt = main.volumeMounts.find((m: any) => m.name === pvc).mountPath;
  for (const dir of [config.runtime.work_dir, config.runtime.state_dir, env('HOME')]) assert.ok(dir.startsWith(`${dataAt}/`), `${dir} is on the PVC (${dataAt})`);
  assert.equal(main.workingDir, config.runtime.work_dir);
  // a parked serve wakes on a new spec: $AGENT_RUNNER_SPEC comes from a key the ConfigMap has
  const spec_ = main.env.find((e: any) => e.name === 'AGENT_RUNNER_SPEC').valueFrom.configMapKeyRef;
  assert.equal(spec_.name, cm.metadata.name);
  assert.ok(cm.data[spec_.key], 'the spec key is in the ConfigMap');
  // no preStop `cancel` or `stop`: under --park those park serve, and the park would outlive the pod
  assert.equal(main.lifecycle?.preStop, undefined);

  // secrets: a Secret volume read by the init container only, copied to a memory dir as a 0600 file at
  // $HOME/.config/agent-runner/secrets.toml; never an environment variable anywhere
  for (const c of containers) {
    for (const e of c.env ?? []) assert.ok(!e.valueFrom?.secretKeyRef, `${c.name}: ${e.name} comes from a Secret`);
    assert.ok(!(c.envFrom ?? []).some((e: any) => e.secretRef), `${c.name}: envFrom a Secret`);
  }
  const secretVol = spec.volumes.find((x: any) => x.secret);
  assert.equal(secretVol.secret.secretName, 'proj-a-secrets', "the overlay's Secret");
  assert.ok(!main.volumeMounts.some((m: any) => m.name === secretVol.name), 'serve never mounts the Secret itself');
  const secretsDir = `${env('HOME')}/.config/agent-runner`;
  const memDir = spec.volumes.find((x: any) => x.emptyDir?.medium === 'Memory');
  assert.equal(main.volumeMounts.find((m: any) => m.name === memDir.name).mountPath, secretsDir);
  const prepare = spec.initContainers[0];
  assert.equal(prepare.env.find((e: any) => e.name === 'HOME').value, env('HOME'));
  assert.match(prepare.command.at(-1), /install -m 0600 \/secrets-in\/secrets\.toml "\$HOME\/\.config\/agent-runner\/secrets\.toml"/);
  assert.equal(prepare.volumeMounts.find((m: any) => m.name === secretVol.name).mountPath, '/secrets-in');

  // limits on every container (the memory limit plays the per-round cgroup's role)
  for (const c of containers) assert.ok(c.resources?.limits?.memory && c.resources?.limits?.cpu, `${c.name}: limits`);

  // the probes are agent-runner's, on serve's heartbeat, and take the fast path (no commander)
  const probe = (p: any) => p.exec.command as string[];
  assert.deepEqual(probe(main.livenessProbe), ['agent-runner', 'probe', 'live']);
  assert.deepEqual(probe(main.startupProbe), ['agent-runner', 'probe', 'live']);
  assert.deepEqual(probe(main.readinessProbe), ['agent-runner', 'probe', 'ready']);
  for (const p of [main.livenessProbe, main.readinessProbe, main.startupProbe]) {
    assert.equal(parseFast(probe(p).slice(1))?.verb, 'probe');
    assert.ok(p.timeoutSeconds >= 5, 'a probe has time for a Node start on a busy node');
  }

  // metrics: serve's --metrics-listen port is the container's, the Service's and the ServiceMonitor's
  const cmd: string[] = main.command;
  assert.deepEqual(cmd.slice(0, 5), ['/usr/bin/tini', '--', 'agent-runner', 'serve', '--park']);
  const port = Number(cmd[cmd.indexOf('--metrics-listen') + 1].split(':').at(-1));
  const named = main.ports.find((p: any) => p.containerPort === port);
  assert.ok(named, `a container port ${port}`);
  const svc = objs.find((o) => o.kind === 'Service')!;
  assert.equal(sts.spec.serviceName, svc.metadata.name);
  assert.equal(svc.spec.ports[0].targetPort, named.name);
  assert.equal(svc.spec.publishNotReadyAddresses, true, 'a waiting (not ready) pod is still scraped');
  for (const [key, val] of Object.entries(svc.spec.selector)) assert.equal(sts.spec.template.metadata.labels[key], val);
  const [sm] = monitors;
  assert.equal(sm.kind, 'ServiceMonitor');
  for (const [key, val] of Object.entries(sm.spec.selector.matchLabels)) assert.equal(svc.metadata.labels?.[key], val, `the ServiceMonitor selects the Service by ${key}`);
  assert.equal(sm.spec.endpoints[0].port, svc.spec.ports[0].name);
  const np = objs.find((o) => o.kind === 'NetworkPolicy')!;
  assert.deepEqual(np.spec.ingress.flatMap((i: any) => i.ports.map((p: any) => p.port)), [port], 'only the metrics port is open');
});
