import assert from 'node:assert/strict';
import { test } from 'node:test';
import { commandName, COMMANDS, requestedCommand } from '../../cli/commands/index.js';

test('the lazy command list names and describes each command exactly as its module does', async () => {
  for (const entry of COMMANDS) {
    const mod = await entry.load();
    assert.equal(mod.command, entry.command);
    assert.equal(mod.describe, entry.describe);
    assert.equal(typeof mod.handler, 'function');
  }
  assert.deepEqual(COMMANDS.map(commandName), ['run', 'crash', 'engines', 'compare', 'merge', 'gate', 'report', 'tune', 'probe', 'env', 'clean']);
});

test('the requested command is the first argument that is not an option', () => {
  assert.equal(requestedCommand(['run', '--engine', 'raw'])?.command, 'run');
  assert.equal(requestedCommand(['--quiet', 'compare', 'a.json'])?.command, 'compare <reports..>');
  assert.equal(requestedCommand(['--version']), null);
  assert.equal(requestedCommand(['rn']), null);
});
