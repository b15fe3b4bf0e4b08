// Preloaded into each service `npm start` launches (node --import): the launcher holds the write end
// of the service's stdin, so stdin ends only when the launcher died without stopping its services
// (a clean stop waits for them to exit first). Then the service ends at once: its stdout and stderr
// lead to the dead launcher, and pino's synchronous writer would block the event loop forever on the
// first log line of a graceful shutdown. Nothing is lost: unacknowledged deliveries are redelivered
// and storing is idempotent.
process.stdin.on('end', () => process.kill(process.pid, 'SIGKILL'));
process.stdin.resume();
// Reading stdin must not keep a service alive that is otherwise done.
process.stdin.unref?.();
