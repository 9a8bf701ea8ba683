/**
 * A local runner for the subset of GitHub Actions that scripts/ci-fleet.yml uses, so a test can run
 * the workflow's own `run:` scripts — the same commands, in the same paths relative to a checkout —
 * for simulated runners, and check exit codes and outputs.
 *
 * What is real: every `run:` step, executed as GitHub runs it (`bash --noprofile --norc -eo
 * pipefail <script>`), in a job workspace holding this repository's build, with the GitHub
 * environment (GITHUB_STEP_SUMMARY, RUNNER_TEMP, GITHUB_REF, …), the workflow, job and step `env:`
 * evaluated from the same expressions, and `if:` conditions evaluated; each matrix entry runs in its
 * own UTS namespace with its own hostname (so durabench's reports come from distinct hosts).
 * What is simulated: the `uses:` actions — checkout (a workspace linking the build), setup-node,
 * upload/download-artifact (a local artifact store, with upload-artifact's least-common-ancestor
 * layout), cache restore/save (a local cache with exact keys and restore-key prefixes, newest
 * first), github-action-benchmark (the file is parsed and validated as the action does), and the
 * Bencher CLI installer. The `Install` step is not run: the test's node_modules is linked instead.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { githubActionBenchmarkAccepts } from './ci-formats.js';
import { repoRoot } from './tmp.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Context = Record<string, Json>;

// ---------------------------------------------------------------- expressions

type Token = { t: 'str' | 'num' | 'id' | 'op' | 'punc'; v: string };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i += 1;
    } else if (c === "'") {
      let s = '';
      i += 1;
      for (;;) {
        if (i >= src.length) throw new Error(`unterminated string in ${src}`);
        if (src[i] === "'" && src[i + 1] === "'") {
          s += "'";
          i += 2;
        } else if (src[i] === "'") {
          i += 1;
          break;
        } else s += src[i++];
      }
      out.push({ t: 'str', v: s });
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9.]+/.exec(src.slice(i))![0];
      out.push({ t: 'num', v: m });
      i += m.length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_.-]*/.exec(src.slice(i))![0];
      out.push({ t: 'id', v: m });
      i += m.length;
    } else if (['==', '!=', '&&', '||', '<=', '>='].includes(src.slice(i, i + 2))) {
      out.push({ t: 'op', v: src.slice(i, i + 2) });
      i += 2;
    } else if ('!<>'.includes(c)) {
      out.push({ t: 'op', v: c });
      i += 1;
    } else if ('(),'.includes(c)) {
      out.push({ t: 'punc', v: c });
      i += 1;
    } else throw new Error(`unsupported character '${c}' in expression ${src}`);
  }
  return out;
}

export interface Status {
  readonly failed: boolean;
}

/** Evaluate a GitHub Actions expression (the subset this workflow uses; anything else throws). */
export function evaluate(src: string, ctx: Context, status: Status = { failed: false }): Json {
  const toks = tokenize(src);
  let p = 0;
  const peek = (): Token | undefined => toks[p];
  const take = (v?: string): Token => {
    const t = toks[p++];
    if (!t || (v !== undefined && t.v !== v)) throw new Error(`expected ${v ?? 'a token'} in ${src}`);
    return t;
  };
  const truthy = (v: Json): boolean => !(v === null || v === false || v === 0 || v === '');
  const str = (v: Json): string => (v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const eq = (a: Json, b: Json): boolean =>
    typeof a === 'string' && typeof b === 'string' ? a.toLowerCase() === b.toLowerCase() : str(a) === str(b);
  const lookup = (id: string): Json => {
    let v: Json = ctx as Json;
    for (const part of id.split('.')) v = v !== null && typeof v === 'object' && !Array.isArray(v) ? (v[part] ?? null) : null;
    return v;
  };
  const call = (name: string, args: Json[]): Json => {
    switch (name) {
      case 'always':
        return true;
      case 'success':
        return !status.failed;
      case 'failure':
        return status.failed;
      case 'cancelled':
        return false;
      case 'format':
        return str(args[0] ?? '').replace(/\{(\d+)\}/g, (_, n: string) => str(args[Number(n) + 1] ?? ''));
      case 'contains':
        return str(args[0] ?? '')
          .toLowerCase()
          .includes(str(args[1] ?? '').toLowerCase());
      case 'startsWith':
        return str(args[0] ?? '')
          .toLowerCase()
          .startsWith(str(args[1] ?? '').toLowerCase());
      default:
        throw new Error(`unsupported function ${name}() in ${src}`);
    }
  };
  const primary = (): Json => {
    const t = take();
    if (t.t === 'str') return t.v;
    if (t.t === 'num') return Number(t.v);
    if (t.t === 'punc' && t.v === '(') {
      const v = or();
      take(')');
      return v;
    }
    if (t.t === 'op' && t.v === '!') return !truthy(primary());
    if (t.t === 'id') {
      if (t.v === 'true') return true;
      if (t.v === 'false') return false;
      if (t.v === 'null') return null;
      if (peek()?.v === '(') {
        take('(');
        const args: Json[] = [];
        while (peek()?.v !== ')') {
          args.push(or());
          if (peek()?.v === ',') take(',');
        }
        take(')');
        return call(t.v, args);
      }
      return lookup(t.v);
    }
    throw new Error(`unexpected '${t.v}' in ${src}`);
  };
  const comparison = (): Json => {
    let a = primary();
    while (peek()?.t === 'op' && ['==', '!='].includes(peek()!.v)) {
      const op = take().v;
      const b = primary();
      a = op === '==' ? eq(a, b) : !eq(a, b);
    }
    return a;
  };
  const and = (): Json => {
    let a = comparison();
    while (peek()?.v === '&&') {
      take();
      const b = comparison();
      a = truthy(a) ? b : a;
    }
    return a;
  };
  const or = (): Json => {
    let a = and();
    while (peek()?.v === '||') {
      take();
      const b = and();
      a = truthy(a) ? a : b;
    }
    return a;
  };
  const v = or();
  if (p !== toks.length) throw new Error(`trailing tokens in ${src}`);
  return v;
}

/** `${{ … }}` interpolation in a string value. */
export function interpolate(text: string, ctx: Context, status?: Status): string {
  return text.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, e: string) => {
    const v = evaluate(e, ctx, status);
    return v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  });
}

/** An `if:` condition: bare or wrapped; success() is implied unless a status function is used. */
export function condition(text: string | boolean | undefined, ctx: Context, status: Status): boolean {
  if (text === undefined) return !status.failed;
  if (typeof text === 'boolean') return text && !status.failed;
  const expr = text.trim().replace(/^\$\{\{([\s\S]*)\}\}$/, '$1');
  const v = evaluate(expr, ctx, status);
  const ok = !(v === null || v === false || v === 0 || v === '');
  return /\b(always|success|failure|cancelled)\(/.test(expr) ? ok : ok && !status.failed;
}

// ---------------------------------------------------------------- the runner

export interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string | boolean;
  with?: Record<string, string | number | boolean>;
  env?: Record<string, string | number | boolean>;
}

export interface Job {
  'runs-on': string;
  needs?: string | string[];
  if?: string;
  strategy?: { matrix: Record<string, Json[]> };
  env?: Record<string, string | number | boolean>;
  steps: Step[];
}

export interface Workflow {
  env?: Record<string, string | number | boolean>;
  defaults?: { run?: { shell?: string } };
  jobs: Record<string, Job>;
}

export interface Event {
  /** `push`, `pull_request`, `workflow_dispatch`. */
  readonly name: string;
  readonly ref: string;
  readonly sha: string;
  readonly defaultBranch: string;
  readonly headRef?: string;
  readonly baseRef?: string;
}

export interface StepResult {
  readonly name: string;
  /** `success`, `failure`, or `skipped` (its condition was false, or the test does not run it). */
  readonly outcome: 'success' | 'failure' | 'skipped';
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** What it appended to $GITHUB_STEP_SUMMARY. */
  readonly summary: string;
  readonly note: string;
}

export interface JobResult {
  readonly job: string;
  readonly matrix: Record<string, Json>;
  readonly hostname: string;
  readonly result: 'success' | 'failure' | 'skipped';
  readonly steps: StepResult[];
  readonly workspace: string;
}

export interface RunnerOptions {
  /** Shared between runs (so a push run's cache reaches a pull request run). */
  readonly cacheDir: string;
  /** Fresh per workflow run. */
  readonly workDir: string;
  /** Overrides of workflow-level env (shorter measurements). */
  readonly envOverrides?: Record<string, string>;
  /** Step names not to run, with the reason (the Install step). */
  readonly notRun?: Record<string, string>;
  /** The hostname each matrix entry runs under. */
  readonly hostname: (job: string, matrix: Record<string, Json>) => string;
}

const KNOWN_ACTIONS = [
  'actions/checkout@v4',
  'actions/setup-node@v4',
  'actions/upload-artifact@v4',
  'actions/download-artifact@v4',
  'actions/cache/restore@v4',
  'actions/cache/save@v4',
  'benchmark-action/github-action-benchmark@v1',
  'bencherdev/bencher@main',
];

export function knownActions(): readonly string[] {
  return KNOWN_ACTIONS;
}

function stringEnv(env: Record<string, string | number | boolean> | undefined, ctx: Context, status: Status): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env ?? {})) out[k] = typeof v === 'string' ? interpolate(v, ctx, status) : String(v);
  return out;
}

function copyTree(from: string, to: string): void {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.cpSync(from, to, { recursive: true });
}

/** upload-artifact@v4: the paths' least common ancestor is the artifact root. */
function leastCommonAncestor(paths: readonly string[]): string {
  const parts = paths.map((p) => path.resolve(p).split(path.sep));
  const first = parts[0]!;
  let n = 0;
  while (n < first.length && parts.every((p) => p[n] === first[n])) n += 1;
  return first.slice(0, n).join(path.sep) || path.sep;
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+^${}()|[\]\\?]/g, '\\$&').replace(/\*/g, '.*')}$`);
}

export class LocalActionsRunner {
  private readonly artifacts: string;

  constructor(
    private readonly workflow: Workflow,
    private readonly o: RunnerOptions,
  ) {
    this.artifacts = path.join(o.workDir, 'artifacts');
    fs.mkdirSync(this.artifacts, { recursive: true });
    fs.mkdirSync(o.cacheDir, { recursive: true });
  }

  /** Cache keys stored so far, oldest first. */
  cacheKeys(): string[] {
    return fs
      .readdirSync(this.o.cacheDir)
      .map((k) => ({ k, t: fs.statSync(path.join(this.o.cacheDir, k)).mtimeMs }))
      .sort((a, b) => a.t - b.t)
      .map((x) => decodeURIComponent(x.k));
  }

  /** Run every job of the workflow for one event; matrix entries one after another. */
  run(event: Event): JobResult[] {
    const results: JobResult[] = [];
    const done = new Map<string, ('success' | 'failure' | 'skipped')[]>();
    for (const [name, job] of Object.entries(this.workflow.jobs)) {
      const needs = job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs];
      const needsFailed = needs.some((n) => (done.get(n) ?? []).some((r) => r !== 'success'));
      const entries = this.matrixEntries(job);
      const outcomes: ('success' | 'failure' | 'skipped')[] = [];
      for (const matrix of entries) {
        const ctx = this.context(event, matrix, {});
        const status = { failed: needsFailed };
        const r = condition(job.if, ctx, status)
          ? this.runJob(name, job, matrix, event)
          : { job: name, matrix, hostname: '', result: 'skipped' as const, steps: [], workspace: '' };
        outcomes.push(r.result);
        results.push(r);
      }
      done.set(name, outcomes);
    }
    return results;
  }

  private matrixEntries(job: Job): Record<string, Json>[] {
    const m = job.strategy?.matrix;
    if (!m) return [{}];
    let out: Record<string, Json>[] = [{}];
    for (const [k, values] of Object.entries(m)) out = out.flatMap((e) => values.map((v) => ({ ...e, [k]: v })));
    return out;
  }

  private context(event: Event, matrix: Record<string, Json>, env: Record<string, string>, runnerTemp = ''): Context {
    return {
      github: {
        ref: event.ref,
        sha: event.sha,
        event_name: event.name,
        ref_name: event.ref.replace(/^refs\/(heads|tags)\//, ''),
        head_ref: event.headRef ?? '',
        base_ref: event.baseRef ?? '',
        event: { repository: { default_branch: event.defaultBranch } },
      },
      matrix,
      env,
      secrets: { GITHUB_TOKEN: 'local-test-token' },
      vars: {},
      runner: { os: 'Linux', temp: runnerTemp },
      steps: {},
    };
  }

  private runJob(name: string, job: Job, matrix: Record<string, Json>, event: Event): JobResult {
    const label = Object.values(matrix).map(String).join('-');
    const base = path.join(this.o.workDir, `${name}${label ? `-${label}` : ''}`);
    const workspace = path.join(base, 'workspace');
    const temp = path.join(base, 'runner-temp');
    fs.mkdirSync(workspace, { recursive: true });
    fs.mkdirSync(temp, { recursive: true });
    const hostname = this.o.hostname(name, matrix);
    const status = { failed: false };
    const wfEnv = stringEnv({ ...this.workflow.env, ...this.o.envOverrides }, this.context(event, matrix, {}, temp), status);
    const jobEnv = { ...wfEnv, ...stringEnv(job.env, this.context(event, matrix, wfEnv, temp), status) };
    const steps: StepResult[] = [];
    job.steps.forEach((step, i) => {
      const stepName = step.name ?? step.uses ?? `step ${i + 1}`;
      const ctx0 = this.context(event, matrix, jobEnv, temp);
      const env = { ...jobEnv, ...stringEnv(step.env, ctx0, status) };
      const ctx = this.context(event, matrix, env, temp);
      const skip = (note: string): void =>
        void steps.push({ name: stepName, outcome: 'skipped', exitCode: null, stdout: '', stderr: '', summary: '', note });
      if (!condition(step.if, ctx, status)) return skip(`if: ${String(step.if ?? 'success()')} is false`);
      const notRun = this.o.notRun?.[stepName];
      if (notRun) return skip(notRun);
      const summaryFile = path.join(base, `summary-${i}.md`);
      fs.writeFileSync(summaryFile, '');
      let r: Omit<StepResult, 'name' | 'summary'>;
      try {
        r =
          step.run !== undefined
            ? this.runScript(step.run, env, { event, workspace, temp, summaryFile, hostname })
            : this.runAction(step, ctx, status, workspace);
      } catch (err) {
        r = { outcome: 'failure', exitCode: 1, stdout: '', stderr: (err as Error).message, note: 'the action failed' };
      }
      if (r.outcome === 'failure') status.failed = true;
      steps.push({ name: stepName, ...r, summary: fs.readFileSync(summaryFile, 'utf8') });
    });
    return { job: name, matrix, hostname, result: status.failed ? 'failure' : 'success', steps, workspace };
  }

  private runScript(
    script: string,
    env: Record<string, string>,
    w: { event: Event; workspace: string; temp: string; summaryFile: string; hostname: string },
  ): Omit<StepResult, 'name' | 'summary'> {
    const file = path.join(w.temp, `step-${Math.random().toString(16).slice(2)}.sh`);
    fs.writeFileSync(file, script);
    const githubEnv = {
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: w.workspace,
      GITHUB_STEP_SUMMARY: w.summaryFile,
      GITHUB_REF: w.event.ref,
      GITHUB_REF_NAME: w.event.ref.replace(/^refs\/(heads|tags)\//, ''),
      GITHUB_SHA: w.event.sha,
      GITHUB_EVENT_NAME: w.event.name,
      GITHUB_HEAD_REF: w.event.headRef ?? '',
      GITHUB_BASE_REF: w.event.baseRef ?? '',
      RUNNER_TEMP: w.temp,
      RUNNER_OS: 'Linux',
    };
    // `shell: bash` is `bash --noprofile --norc -eo pipefail {0}`; the hostname makes this a separate host.
    const r = spawnSync(
      'unshare',
      ['--uts', 'sh', '-c', 'hostname "$0" && exec bash --noprofile --norc -eo pipefail "$1"', w.hostname, file],
      {
        cwd: w.workspace,
        env: { ...process.env, ...githubEnv, ...env },
        encoding: 'utf8',
        timeout: 15 * 60_000,
      },
    );
    return { outcome: r.status === 0 ? 'success' : 'failure', exitCode: r.status, stdout: r.stdout, stderr: r.stderr, note: '' };
  }

  private runAction(step: Step, ctx: Context, status: Status, workspace: string): Omit<StepResult, 'name' | 'summary'> {
    const uses = step.uses!;
    const w = (k: string): string => {
      const v = step.with?.[k];
      return v === undefined ? '' : typeof v === 'string' ? interpolate(v, ctx, status) : String(v);
    };
    const ok = (note: string) => ({ outcome: 'success' as const, exitCode: 0, stdout: '', stderr: '', note });
    switch (uses) {
      case 'actions/checkout@v4':
        // The checkout: this repository's build, linked (what `npm ci` and `npm run build` make).
        for (const entry of ['package.json', 'package-lock.json', 'bin', 'dist', 'node_modules', 'suites', 'scripts', 'schemas']) {
          if (fs.existsSync(path.join(repoRoot, entry))) fs.symlinkSync(path.join(repoRoot, entry), path.join(workspace, entry));
        }
        return ok('workspace linked to the repository build');
      case 'actions/setup-node@v4': {
        const major = Number(process.versions.node.split('.')[0]);
        if (String(major) !== w('node-version'))
          throw new Error(`setup-node asks for Node ${w('node-version')}; this test runs on ${process.version}`);
        return ok(`node ${process.version}`);
      }
      case 'actions/upload-artifact@v4': {
        const paths = w('path')
          .split('\n')
          .map((p) => p.trim())
          .filter((p) => p !== '')
          .map((p) => path.resolve(workspace, p));
        const present = paths.filter((p) => fs.existsSync(p));
        if (present.length === 0 && w('if-no-files-found') === 'error') throw new Error(`upload-artifact: no files found at ${w('path')}`);
        // One directory: its contents are the artifact; one file: the file; several paths: their least common ancestor is the root.
        const root =
          paths.length === 1
            ? fs.existsSync(paths[0]!) && fs.statSync(paths[0]!).isDirectory()
              ? paths[0]!
              : path.dirname(paths[0]!)
            : leastCommonAncestor(paths);
        const dest = path.join(this.artifacts, w('name'));
        for (const p of present) copyTree(p, path.join(dest, path.relative(root, p) || '.'));
        return ok(`artifact ${w('name')}: ${present.map((p) => path.relative(workspace, p)).join(', ')}`);
      }
      case 'actions/download-artifact@v4': {
        const re = globToRegExp(w('pattern') || '*');
        const names = fs.readdirSync(this.artifacts).filter((n) => re.test(n));
        for (const n of names) copyTree(path.join(this.artifacts, n), path.join(workspace, w('path'), n));
        return ok(`downloaded ${names.join(', ')}`);
      }
      case 'actions/cache/restore@v4': {
        const keys = this.cacheKeys();
        const exact = keys.includes(w('key')) ? w('key') : null;
        const prefixes = w('restore-keys')
          .split('\n')
          .map((k) => k.trim())
          .filter((k) => k !== '');
        const hit = exact ?? [...keys].reverse().find((k) => prefixes.some((p) => k.startsWith(p))) ?? null;
        if (hit) copyTree(path.join(this.o.cacheDir, encodeURIComponent(hit)), path.join(workspace, w('path')));
        return ok(hit ? `restored ${hit}` : 'cache miss');
      }
      case 'actions/cache/save@v4': {
        const dir = path.join(this.o.cacheDir, encodeURIComponent(w('key')));
        if (fs.existsSync(dir)) return ok(`cache ${w('key')} exists (caches are immutable)`);
        const from = path.join(workspace, w('path'));
        if (!fs.existsSync(from)) throw new Error(`cache/save: ${w('path')} does not exist`);
        copyTree(from, dir);
        return ok(`saved ${w('key')}`);
      }
      case 'benchmark-action/github-action-benchmark@v1': {
        if (!['customSmallerIsBetter', 'customBiggerIsBetter'].includes(w('tool'))) throw new Error(`unexpected tool ${w('tool')}`);
        const entries = githubActionBenchmarkAccepts(fs.readFileSync(path.join(workspace, w('output-file-path')), 'utf8'));
        return ok(`${w('tool')} accepted ${entries.length} results from ${w('output-file-path')} as "${w('name')}"`);
      }
      case 'bencherdev/bencher@main':
        return ok('the Bencher CLI would be installed');
      default:
        throw new Error(`the local runner does not know ${uses}`);
    }
  }
}
