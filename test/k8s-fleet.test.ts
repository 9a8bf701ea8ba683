/**
 * scripts/k8s/: the manifests parse and hold what the fleet needs (an Indexed Job, one pod per node,
 * a hostPath or block-volume target, a shared reports volume, an analyze Job that expects every
 * node), and the ConfigMap's own scripts run locally for two simulated nodes — each in its own UTS
 * namespace, so each report comes from its own host — then analyze compares them by host and pools
 * them (same architecture and kernel here). Measurements are shortened through the Job's own env.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import type { RunReport } from '../model/run-report.js';
import { readReport } from '../reports/read.js';
import { repoRoot, tempDir } from './helpers/tmp.js';

const K8S = path.join(repoRoot, 'scripts', 'k8s');

type Doc = { apiVersion: string; kind: string; metadata: { name: string }; spec: Record<string, any>; data?: Record<string, string> };

function docs(file: string): Doc[] {
  const all = parseAllDocuments(fs.readFileSync(path.join(K8S, file), 'utf8'));
  for (const d of all)
    assert.deepEqual(
      d.errors.map((e) => e.message),
      [],
      file,
    );
  return all.map((d) => d.toJS() as Doc);
}

function envOf(container: { env: { name: string; value?: string; valueFrom?: unknown }[] }): Record<string, string> {
  return Object.fromEntries(container.env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value!]));
}

test('the Kubernetes manifests: scripts, reports volume, an Indexed measure Job on every node (hostPath or block), an analyze Job', () => {
  const [cm, pvc] = docs('durabench-common.yaml');
  assert.equal(cm!.kind, 'ConfigMap');
  assert.deepEqual(Object.keys(cm!.data!).sort(), ['analyze.sh', 'measure.sh']);
  for (const [name, script] of Object.entries(cm!.data!)) {
    const r = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
    assert.equal(r.status, 0, `${name}: ${r.stderr}`);
  }
  assert.equal(pvc!.kind, 'PersistentVolumeClaim');
  assert.deepEqual(pvc!.spec['accessModes'], ['ReadWriteMany']);
  const [analyze] = docs('durabench-analyze.yaml');
  for (const file of ['durabench-measure-hostpath.yaml', 'durabench-measure-block.yaml']) {
    const [job] = docs(file);
    assert.equal(job!.kind, 'Job', file);
    assert.equal(job!.metadata.name, 'durabench-measure');
    assert.equal(job!.spec['completionMode'], 'Indexed');
    assert.equal(job!.spec['completions'], job!.spec['parallelism'], 'every node at once');
    const pod = job!.spec['template'].spec;
    const anti = pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0];
    assert.equal(anti.topologyKey, 'kubernetes.io/hostname', 'one pod per node');
    assert.deepEqual(anti.labelSelector.matchLabels, job!.spec['template'].metadata.labels);
    const c = pod.containers[0];
    assert.deepEqual(c.command, ['bash', '/scripts/measure.sh']);
    assert.ok(
      c.env.some(
        (e: { name: string; valueFrom?: { fieldRef?: { fieldPath: string } } }) =>
          e.name === 'NODE_NAME' && e.valueFrom?.fieldRef?.fieldPath === 'spec.nodeName',
      ),
    );
    const volumes = Object.fromEntries(pod.volumes.map((v: { name: string }) => [v.name, v]));
    assert.equal(volumes['reports'].persistentVolumeClaim.claimName, pvc!.metadata.name);
    assert.equal(volumes['scripts'].configMap.name, cm!.metadata.name);
    if (file.includes('hostpath')) {
      assert.equal(volumes['data'].hostPath.type, 'DirectoryOrCreate');
      assert.ok(c.volumeMounts.some((m: { name: string; mountPath: string }) => m.name === 'data' && m.mountPath === envOf(c)['DATA_DIR']));
    } else {
      assert.equal(volumes['disk'].ephemeral.volumeClaimTemplate.spec.volumeMode, 'Block');
      assert.equal(c.volumeDevices[0].devicePath, envOf(c)['DATA_DEVICE']);
      assert.equal(c.securityContext.privileged, true, 'mkfs and mount of its own block volume');
    }
    assert.equal(
      envOf(analyze!.spec['template'].spec.containers[0])['EXPECTED_NODES'],
      String(job!.spec['completions']),
      'analyze waits for every node',
    );
  }
  assert.equal(spawnSync('bash', ['-n', path.join(K8S, 'run-fleet.sh')]).status, 0);
});

const skip = process.getuid?.() === 0 ? false : 'needs root: every simulated node runs in its own UTS namespace (its own hostname)';

test('the ConfigMap scripts on two simulated nodes: two reports, compared by host and pooled', { skip }, () => {
  const [cm] = docs('durabench-common.yaml');
  const [job] = docs('durabench-measure-hostpath.yaml');
  const [analyze] = docs('durabench-analyze.yaml');
  const dir = tempDir('k8s');
  const scripts = path.join(dir, 'scripts');
  fs.mkdirSync(scripts);
  for (const [name, text] of Object.entries(cm!.data!)) fs.writeFileSync(path.join(scripts, name), text);
  const reports = path.join(dir, 'reports');
  const jobEnv = envOf(job!.spec['template'].spec.containers[0]);
  const local = {
    DURABENCH: `${process.execPath} ${path.join(repoRoot, 'bin', 'durabench.js')}`,
    REPORTS_DIR: reports,
    DURABENCH_DURATION: '0.2',
    DURABENCH_REPEAT: '2',
  };
  const nodes = ['node-a', 'node-b'];
  nodes.forEach((node, index) => {
    const data = path.join(dir, `data-${node}`);
    fs.mkdirSync(data);
    // As the kubelet would: the Job's env, NODE_NAME from spec.nodeName, the completion index.
    const r = spawnSync('unshare', ['--uts', 'sh', '-c', 'hostname "$0" && exec bash "$1"', node, path.join(scripts, 'measure.sh')], {
      env: { ...process.env, ...jobEnv, ...local, DATA_DIR: data, NODE_NAME: node, JOB_COMPLETION_INDEX: String(index) },
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`node ${node}: .*nodes/${index}-${node}/report.json`));
    assert.deepEqual(fs.readdirSync(data), [], 'durabench removed its work directory');
  });
  const r = spawnSync('unshare', ['--uts', 'sh', '-c', 'hostname analyze && exec bash "$0"', path.join(scripts, 'analyze.sh')], {
    env: { ...process.env, ...envOf(analyze!.spec['template'].spec.containers[0]), ...local, EXPECTED_NODES: '2' },
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Hosts, against the first \(baseline\)/);
  for (const n of nodes) assert.ok(r.stdout.includes(`**${n} (`), `${n} in the comparison`);
  const merged = fs.readdirSync(path.join(reports, 'analysis')).filter((f) => f.startsWith('merged-'));
  assert.equal(merged.length, 1, 'one architecture and kernel here: one pool');
  const pooled = readReport(path.join(reports, 'analysis', merged[0]!)) as RunReport;
  assert.deepEqual(pooled.mergedFrom?.map((m) => m.hostname).sort(), nodes);
  // A missing node is reported, not compared away.
  const short = spawnSync('bash', [path.join(scripts, 'analyze.sh')], {
    env: { ...process.env, ...local, EXPECTED_NODES: '3' },
    encoding: 'utf8',
  });
  assert.equal(short.status, 1);
  assert.match(short.stderr, /2 of 3 node reports/);
});
