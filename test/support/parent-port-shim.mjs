// Stands in for Electron's utilityProcess plumbing when the bundled core runs under plain Node
// (child_process.fork): process.parentPort over the fork IPC channel, messages as { data }.
process.parentPort = {
  on(event, listener) {
    if (event === 'message') process.on('message', (data) => listener({ data }));
  },
  postMessage(message) {
    process.send?.(message);
  },
};
