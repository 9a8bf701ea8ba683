/**
 * Provenance as document blocks (every report's header, `durabench env`): the tool, the host, each
 * target with its filesystem and device chain. Pure: data in, blocks out.
 */
import type { EnvReport, SessionReport } from '../../model/report.js';
import type { BlockDeviceInfo, HostInfo, Known, TargetInfo, ToolInfo } from '../../model/provenance.js';
import { formatBytes, formatElapsed } from '../../model/units.js';
import { details, fact, heading, paragraph, table, warnings as warningsBlock, type Block, type Doc, type Fact } from '../document/model.js';

/** A Known value as text: the value, or `unknown (reason)`. */
export function knownText<T>(k: Known<T> | undefined, show: (v: T) => string = String): string {
  if (k === undefined) return 'not recorded';
  return 'reason' in k ? `unknown (${k.reason})` : show(k.value);
}

/** Short form for tables: the value or `?`. */
function shortKnown<T>(k: Known<T> | undefined, show: (v: T) => string = String): string {
  return k && k.value !== null ? show(k.value) : '?';
}

export function toolLine(tool: ToolInfo): string {
  const rev = tool.gitSha ? `git ${tool.gitSha.slice(0, 12)}${tool.gitDirty ? ' (dirty)' : ''}` : `no git revision (${tool.gitShaReason ?? 'not a checkout'})`;
  const crc = tool.crc32c === undefined ? '' : tool.crc32c.kind === 'native' ? `, CRC-32C native (${tool.crc32c.package})` : `, CRC-32C in JavaScript (${tool.crc32c.reason})`;
  return `${tool.name} ${tool.version}, ${rev}${crc}`;
}

/** Label/value rows describing the host. */
export function hostRows(h: HostInfo): [string, string][] {
  const uv = h.uvThreadpoolSize === null ? `unset (libuv uses ${h.uvThreadpoolSizeEffective ?? 4})` : `${h.uvThreadpoolSize}${h.uvThreadpoolSizeEffective !== undefined ? ` (in effect: ${h.uvThreadpoolSizeEffective})` : ''}`;
  return [
    ['hostname', h.hostname],
    ['os', h.osRelease ? knownText(h.osRelease) : h.os],
    ['kernel', `${h.kernel}${h.kernelBuild ? ` ${h.kernelBuild}` : ''} (${h.platform ?? '?'} ${h.arch})`],
    ['cpu', `${h.cpuModel} × ${h.cpuCount}${h.availableParallelism !== undefined && h.availableParallelism !== h.cpuCount ? ` (${h.availableParallelism} available)` : ''}`],
    ['memory', formatBytes(h.memoryBytes)],
    ['node', h.nodeVersion],
    ['UV_THREADPOOL_SIZE', uv],
  ];
}

function deviceLine(d: BlockDeviceInfo): string {
  const parts = [`${d.path} (${d.kind}${d.majorMinor.value ? ` ${d.majorMinor.value}` : ''})`];
  if (d.backingFile) parts.push(`backing file ${knownText(d.backingFile)} on ${knownText(d.backingFsType)}`);
  parts.push(`model ${knownText(d.model)}`);
  parts.push(`rotational ${knownText(d.rotational)}`);
  parts.push(`write cache ${knownText(d.writeCache)}`);
  parts.push(`scheduler ${knownText(d.scheduler)}`);
  return parts.join(', ');
}

/** Label/value rows describing one target. */
export function targetRows(t: TargetInfo): [string, string][] {
  const rows: [string, string][] = [
    ['directory', t.realPath === t.dir ? t.dir : `${t.dir} → ${t.realPath}`],
    ['filesystem', knownText(t.fsType)],
    ['mount point', knownText(t.mountPoint)],
    ['mount options', knownText(t.mountOptions)],
    ['mount source', knownText(t.mountSource)],
    ['device', knownText(t.device)],
    ['device chain', knownText(t.deviceChain, (c) => c.join(' → '))],
    ['disk model', knownText(t.model)],
    ['rotational', knownText(t.rotational)],
    ['write cache', knownText(t.writeCache)],
    ['scheduler', knownText(t.scheduler)],
    ['sync semantics', t.syncSemantics],
  ];
  for (const d of t.devices ?? []) rows.push([`  ${d.name}`, deviceLine(d)]);
  return rows;
}

/** One line per target, for report headers: `/work: ext4 on /dev/vda (write back, rotational)`. */
export function targetSummary(t: TargetInfo): string {
  const dev = t.device.value ?? 'no block device';
  const extras = [shortKnown(t.writeCache), t.rotational.value === null ? null : t.rotational.value ? 'rotational' : 'non-rotational'].filter(
    (x): x is string => x !== null && x !== '?',
  );
  return `${t.dir}: ${shortKnown(t.fsType)} on ${dev}${extras.length ? ` (${extras.join(', ')})` : ''}`;
}

/** One line naming the tool, the host and where it ran, for report headers. */
export function provenanceLine(tool: ToolInfo, h: HostInfo): string {
  return `${toolLine(tool)} on ${h.hostname}, ${h.os} ${h.kernel}, ${h.cpuModel} × ${h.cpuCount}, ${formatBytes(h.memoryBytes)} RAM, Node ${h.nodeVersion}`;
}

/** One item per target: filesystem, mount options, device, model, rotational, write cache. */
export function targetItems(h: HostInfo): string[] {
  return h.targets.map(
    (t) =>
      `\`${t.dir}\`: ${knownText(t.fsType)} (${knownText(t.mountOptions)}) on ${knownText(t.device)}, model ${knownText(t.model)}, rotational ${knownText(t.rotational)}, write cache ${knownText(t.writeCache)}`,
  );
}

/** The host and every target in full (tables), for `durabench env` and the probe's report. */
export function provenanceBlocks(tool: ToolInfo, host: HostInfo): Block[] {
  const out: Block[] = [paragraph(`Tool: ${toolLine(tool)}`), heading(2, 'Host'), table([['', ''], ...hostRows(host)])];
  for (const t of host.targets) out.push(heading(2, `Target \`${t.dir}\``), table([['', ''], ...targetRows(t)]));
  return out;
}

/** `durabench env`. */
export function envDoc(report: EnvReport): Doc {
  return {
    title: 'durabench env',
    blocks: [...provenanceBlocks(report.tool, report.host), heading(2, 'Warnings'), report.warnings.length === 0 ? paragraph('no warnings') : warningsBlock(report.warnings)],
  };
}

/** The facts a session report's summary shows: host, run id, when and how long, the tool, the targets. */
export function sessionFacts(r: SessionReport): Fact[] {
  const ms = r.finishedAt ? Date.parse(r.finishedAt) - Date.parse(r.startedAt) : NaN;
  return [
    fact('host', `${r.host.hostname} (${r.host.cpuModel} × ${r.host.cpuCount}, ${formatBytes(r.host.memoryBytes)})`),
    ...(r.runId ? [fact('run id', r.runId)] : []),
    fact('started', r.startedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')),
    fact('took', Number.isFinite(ms) ? formatElapsed(ms) : 'unfinished'),
    fact('status', r.stopSignal ? `${r.status} (${r.stopSignal})` : r.status),
    ...r.host.targets.map((t, i) => fact(r.host.targets.length > 1 ? `target t${i}` : 'target', targetSummary(t))),
    fact('tool', toolLine(r.tool)),
  ];
}

/** The environment at the bottom of a report: the tool, the host, every target in full. */
export function environmentBlocks(tool: ToolInfo, host: HostInfo): Block[] {
  return [heading(2, 'Environment'), details(`${host.hostname}: ${host.os} ${host.kernel}, ${host.cpuModel} × ${host.cpuCount}, ${formatBytes(host.memoryBytes)} RAM, Node ${host.nodeVersion}`, provenanceBlocks(tool, host).map(demote))];
}

/** Headings inside a collapsed section one level down. */
function demote(b: Block): Block {
  return b.kind === 'heading' ? { ...b, level: 3 } : b;
}
