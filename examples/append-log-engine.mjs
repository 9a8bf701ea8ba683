// A complete small durabench engine, written as a user would write one: plain JavaScript, no build
// step, nothing imported from durabench. See docs/engines.md for the interface it implements.
//
//   node bin/durabench.js run --engine ./examples/append-log-engine.mjs --mode sync,batch,none
//
// What it is: one append-only log file (`append.log`). Every put appends one record
//
//   u32 LE payload length | u32 LE CRC-32 of the payload | payload = u32 LE key length, key, value
//
// and, depending on the mode, fdatasyncs the file before returning (the ack). An in-memory index
// (key -> record offset) serves get(). open() is the recovery: it scans the log, keeps every intact
// record, stops at the first torn or corrupt one (a crash can leave a partial record at the tail),
// truncates the garbage away and syncs, so it never throws on a torn tail and never returns a value
// that was not written.
//
// Every file operation goes through `ctx.io` (durabench's io layer), so the report shows each
// fdatasync's latency, and the crash lab can stop the writer after any numbered file operation.
import path from 'node:path';
import { crc32 } from 'node:zlib';

const FILE = 'append.log';
const HEADER_BYTES = 8;
/** Records larger than this are treated as garbage by recovery (a torn length field). */
const MAX_PAYLOAD_BYTES = 64 * 1024 * 1024 + 1024;

function encodeRecord(key, value) {
  const payloadBytes = 4 + key.length + value.length;
  const rec = Buffer.allocUnsafe(HEADER_BYTES + payloadBytes);
  rec.writeUInt32LE(payloadBytes, 0);
  rec.writeUInt32LE(key.length, 8);
  key.copy(rec, 12);
  value.copy(rec, 12 + key.length);
  rec.writeUInt32LE(crc32(rec.subarray(HEADER_BYTES)), 4);
  return rec;
}

/** Decode the payload of an intact record into { key, value }, or null if its lengths do not fit. */
function decodePayload(payload) {
  if (payload.length < 4) return null;
  const keyBytes = payload.readUInt32LE(0);
  if (4 + keyBytes > payload.length) return null;
  return { key: payload.subarray(4, 4 + keyBytes), value: payload.subarray(4 + keyBytes) };
}

class AppendLogEngine {
  constructor(ctx) {
    this.ctx = ctx;
    this.file = path.join(ctx.dir, FILE);
    this.syncCall = ctx.options['append-log-sync-call'];
    this.fd = -1;
    this.writePos = 0;
    /** key (latin1) -> offset of its latest record */
    this.index = new Map();
    this.appended = 0; // commits appended since open
    this.durableCount = 0; // commits covered by a returned sync
    this.oldestPendingNs = null;
    this.syncs = 0;
  }

  /** Recovery. Returns a RecoveryReport (see engines/types.ts). */
  open() {
    const { io } = this.ctx;
    const t0 = this.ctx.clockNs();
    const report = { recordsRecovered: 0, discardedBytes: 0, crcFailures: 0, tornTail: false, notes: [] };
    const existed = io.exists(this.file);
    this.fd = io.open(this.file, { create: true });
    if (!existed) {
      // A new file's directory entry is durable only once the directory is synced.
      io.fsyncDir(this.ctx.dir);
      return report;
    }
    const data = io.readFile(this.file);
    let pos = 0;
    while (pos < data.length) {
      if (data.length - pos < HEADER_BYTES) {
        report.tornTail = true;
        break;
      }
      const payloadBytes = data.readUInt32LE(pos);
      if (payloadBytes < 4 || payloadBytes > MAX_PAYLOAD_BYTES || pos + HEADER_BYTES + payloadBytes > data.length) {
        // A zero-filled or torn tail, or a length that cannot be right: the log ends here.
        report.tornTail = true;
        break;
      }
      const payload = data.subarray(pos + HEADER_BYTES, pos + HEADER_BYTES + payloadBytes);
      const kv = crc32(payload) === data.readUInt32LE(pos + 4) ? decodePayload(payload) : null;
      if (!kv) {
        report.crcFailures += 1;
        break;
      }
      this.index.set(kv.key.toString('latin1'), pos);
      report.recordsRecovered += 1;
      pos += HEADER_BYTES + payloadBytes;
    }
    this.writePos = pos;
    if (pos < data.length) {
      report.discardedBytes = data.length - pos;
      report.notes.push(`${FILE}: discarded ${data.length - pos} bytes after offset ${pos}`);
      // Cut the garbage off so new records follow the last intact one, and make that durable.
      io.ftruncate(this.fd, pos);
      io.fsync(this.fd);
      io.marker('log-truncated');
    }
    this.ctx.recordPhase('recovery', Number(this.ctx.clockNs() - t0));
    return report;
  }

  /** One commit: append, and sync when the mode says so. Returning is the ack. */
  put(key, value) {
    const rec = encodeRecord(key, value);
    this.ctx.io.write(this.fd, rec, this.writePos);
    this.index.set(key.toString('latin1'), this.writePos);
    this.writePos += rec.length;
    if (this.appended === this.durableCount) this.oldestPendingNs = this.ctx.clockNs();
    this.appended += 1;
    if (this.syncDue()) this.sync();
  }

  syncDue() {
    const pending = this.appended - this.durableCount;
    if (pending === 0) return false;
    switch (this.ctx.mode) {
      case 'sync':
        return true;
      case 'batch':
        return pending >= this.ctx.batchSize || this.dueByTime();
      default:
        return false; // none: only OS writeback makes data durable
    }
  }

  dueByTime() {
    const { batchMs } = this.ctx;
    return (
      this.ctx.mode === 'batch' &&
      batchMs !== null &&
      this.appended > this.durableCount &&
      this.ctx.clockNs() - this.oldestPendingNs >= BigInt(Math.round(batchMs * 1e6))
    );
  }

  sync() {
    if (this.syncCall === 'fsync') this.ctx.io.fsync(this.fd);
    else this.ctx.io.fdatasync(this.fd);
    this.syncs += 1;
    this.durableCount = this.appended;
    // The claim: the first `appended` commits are now durable. The crash lab checks it.
    this.ctx.durability.durable(this.durableCount);
  }

  /** batch mode with --batch-ms: sync an old pending batch even while no commit arrives. */
  tick() {
    if (this.dueByTime()) this.sync();
  }

  get(key) {
    const off = this.index.get(key.toString('latin1'));
    if (off === undefined) return undefined;
    const header = Buffer.alloc(HEADER_BYTES);
    this.ctx.io.read(this.fd, header, off);
    const payload = Buffer.alloc(header.readUInt32LE(0));
    this.ctx.io.read(this.fd, payload, off + HEADER_BYTES);
    if (crc32(payload) !== header.readUInt32LE(4)) return undefined;
    return decodePayload(payload)?.value;
  }

  /** Clean close: pending commits become durable (except in none mode), the file is closed. */
  close() {
    if (this.fd < 0) return;
    if (this.ctx.mode !== 'none' && this.appended > this.durableCount) this.sync();
    this.ctx.io.close(this.fd);
    this.fd = -1;
  }

  stats() {
    return { logBytes: this.writePos, logSyncs: this.syncs };
  }
}

/** The EngineFactory: the module's default export. */
export default {
  name: 'append-log',
  summary: 'example user engine: one CRC-framed append-only log + fdatasync (examples/append-log-engine.mjs)',
  modes: ['sync', 'batch', 'none'],
  options: [
    {
      name: 'append-log-sync-call',
      type: 'string',
      choices: ['fdatasync', 'fsync'],
      default: 'fdatasync',
      describe: 'append-log: the sync call that makes a commit durable',
    },
  ],
  faults: [],
  markers: ['log-truncated'],
  contract: 'sync',
  create: (ctx) => new AppendLogEngine(ctx),
};
