/** strace's arguments and its log as the census and the crash points read them. Pure, exact. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTraceLog, straceArgs, syncCalls } from '../../lab/syscall-trace.js';
import { pagesWrittenBack } from '../../workspace/tracefs.js';

test('census runs use seccomp filtering; injections do not (strace 6.1 drops the injected signal under it)', () => {
  assert.deepEqual(straceArgs('/l', null), ['-f', '-qq', '-y', '-o', '/l', '-e', 'trace=fdatasync,fsync,sync_file_range,msync,syncfs,sync', '--seccomp-bpf']);
  assert.deepEqual(straceArgs('/l', { name: 'rename', from: 3, to: 3, when: 'after' }), [
    '-f', '-qq', '-y', '-o', '/l', '-e', 'trace=fdatasync,fsync,sync_file_range,msync,syncfs,sync,rename', '-e', 'inject=rename:signal=SIGSTOP:when=3',
  ]);
  assert.equal(straceArgs('/l', { name: 'fdatasync', from: 2, to: 9, when: 'before' }).at(-1), 'inject=fdatasync:error=EIO:signal=SIGSTOP:when=2..9');
});

const LOG = [
  '3619  fdatasync(17</mnt/e/kv.sqlite-journal>) = 0',
  '3619  fsync(18</mnt/e>) = 0',
  '3620  fdatasync(19</mnt/e/kv.sqlite> <unfinished ...>',
  '3619  fdatasync(17</mnt/e/kv.sqlite-journal>) = 0',
  '3620  <... fdatasync resumed>)         = 0',
  '3619  --- SIGSTOP {si_signo=SIGSTOP, si_code=SI_KERNEL} ---',
  '3619  --- stopped by SIGSTOP ---',
  '3620  --- stopped by SIGSTOP ---',
  '3621  --- SIGSTOP {si_signo=SIGSTOP, si_code=SI_USER, si_pid=1, si_uid=0} ---',
  '3619  msync(0x7f0000, 4096, MS_SYNC) = 0',
  '',
].join('\n');

test('calls count once (unfinished lines count, resumed ones do not), directory fsyncs apart, injected stops named', () => {
  const t = parseTraceLog(LOG, (p) => p === '/mnt/e');
  assert.deepEqual(t.calls, { fdatasync: 3, 'fsync-dir': 1, msync: 1 });
  assert.deepEqual(t.stops, ['fdatasync(kv.sqlite-journal)']);
  assert.equal(syncCalls(t.calls), 5);
});

test("the flusher's writebacks of the drive's cache, from writeback_single_inode lines", () => {
  const trace = [
    '# tracer: nop',
    '  kworker/u8:2-51  [001] .....  31.2: writeback_single_inode: bdi 7:0: ino=1 state=I_DIRTY_PAGES dirtied_when=4294 age=31 index=0 to_write=13312 wrote=12 cgroup_ino=1',
    '  kworker/u8:2-51  [001] .....  36.2: writeback_single_inode: bdi 7:0: ino=1 state= dirtied_when=4294 age=36 index=0 to_write=13312 wrote=3 cgroup_ino=1',
  ].join('\n');
  assert.equal(pagesWrittenBack(trace), 15);
  assert.equal(pagesWrittenBack('# tracer: nop\n'), 0);
});
