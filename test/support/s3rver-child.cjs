/*
 * Runs s3rver (a real S3 REST API server, from npm) on 127.0.0.1 in its own process, for the S3 adapter's
 * tests (test/support/s3rver.ts starts it). Its own process because s3rver's continuation tokens use
 * DES, which OpenSSL 3 (Node 17+) offers only with --openssl-legacy-provider, and that flag belongs on
 * this process, not on the test runner. Prints {"port": N} once listening; stops on SIGTERM or stdin EOF.
 * Usage: node --openssl-legacy-provider s3rver-child.cjs <directory> <bucket>...
 */
const S3rver = require('s3rver');

const [directory, ...buckets] = process.argv.slice(2);
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory,
  configureBuckets: buckets.map((name) => ({ name })),
  // Path-style requests (http://127.0.0.1:PORT/bucket/key).
  vhostBuckets: false,
});
server.run().then(
  ({ port }) => process.stdout.write(`${JSON.stringify({ port })}\n`),
  (error) => {
    process.stderr.write(`s3rver failed to start: ${error.stack || error}\n`);
    process.exit(1);
  },
);
const stop = () => server.close().finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();
