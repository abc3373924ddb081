// A minimal Language Server Protocol client for the schema tests: start the
// yaml-language-server given (argv[2]), open each YAML file given after it, and print
// {"FILE": ["LINE:COL message", ...]} as JSON once every file has its diagnostics.
// Each file names its schema on its first line (# yaml-language-server: $schema=...).
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const path = require('path');

const [server, ...files] = process.argv.slice(2);
const uris = new Map(files.map((f) => ['file://' + path.resolve(f), f]));
const found = {};
const settings = { validate: true, hover: false, completion: false, schemaStore: { enable: false } };
const ls = spawn(server, ['--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
let buffer = Buffer.alloc(0);

function send(message) {
  const text = JSON.stringify({ jsonrpc: '2.0', ...message });
  ls.stdin.write(`Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
}

function receive(message) {
  if (message.method === 'workspace/configuration') {
    send({ id: message.id, result: message.params.items.map((i) => (i.section === 'yaml' ? settings : null)) });
  } else if (message.method && message.id !== undefined) {
    send({ id: message.id, result: null }); // any other request of the server
  } else if (message.method === 'textDocument/publishDiagnostics' && uris.has(message.params.uri)) {
    found[uris.get(message.params.uri)] = message.params.diagnostics.map(
      (d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.message}`);
    uris.delete(message.params.uri);
    if (uris.size === 0) {
      process.stdout.write(JSON.stringify(found) + '\n');
      ls.kill();
      process.exit(0);
    }
  }
}

ls.stdout.on('data', (data) => {
  buffer = Buffer.concat([buffer, data]);
  for (;;) {
    const end = buffer.indexOf('\r\n\r\n');
    if (end < 0) return;
    const length = Number(/Content-Length: (\d+)/i.exec(buffer.subarray(0, end).toString())[1]);
    if (buffer.length < end + 4 + length) return;
    receive(JSON.parse(buffer.subarray(end + 4, end + 4 + length).toString()));
    buffer = buffer.subarray(end + 4 + length);
  }
});

send({ id: 1, method: 'initialize', params: { processId: process.pid, rootUri: null,
  capabilities: { workspace: { configuration: true } } } });
send({ method: 'initialized', params: {} });
send({ method: 'workspace/didChangeConfiguration', params: { settings: { yaml: settings } } });
for (const [uri, file] of uris) {
  send({ method: 'textDocument/didOpen', params: { textDocument: {
    uri, languageId: 'yaml', version: 1, text: fs.readFileSync(file, 'utf8') } } });
}
setTimeout(() => {
  process.stderr.write(`no diagnostics for: ${[...uris.values()].join(', ')}\n`);
  process.exit(1);
}, 60000);
