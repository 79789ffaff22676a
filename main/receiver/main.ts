/**
 * `npm run receiver -- [--port 8790] [--host 127.0.0.1] [--dir ./received] [--token SECRET]`: the
 * reference receiving server, so a site can try the station end to end (REST target url:
 * http://127.0.0.1:8790). The token may also come from RECEIVER_TOKEN.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startReceiver } from './app.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8790' },
    host: { type: 'string', default: '127.0.0.1' },
    dir: { type: 'string', default: 'received' },
    token: { type: 'string' },
    /** Benchmarks only: skip fsync, to measure the station's side rather than this disk. */
    'no-fsync': { type: 'boolean', default: false },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a port number, not ${values.port}`);
  process.exit(2);
}
const receiver = await startReceiver({
  dir: path.resolve(values.dir!),
  host: values.host,
  port,
  token: values.token ?? process.env.RECEIVER_TOKEN,
  fsync: !values['no-fsync'],
  log: (line) => console.log(`${new Date().toLocaleTimeString('de-DE')}  ${line}`),
});
console.log(`Receiver listening on ${receiver.url} (documents in ${path.resolve(values.dir!)}${values.token ?? process.env.RECEIVER_TOKEN ? ', bearer token required' : ''})`);
const stop = () => void receiver.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
