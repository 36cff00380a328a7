/** Whether an address can be bound, asked before anything is written, so a busy port fails cleanly. */
import { createServer } from 'node:net';

export class PortInUseError extends Error {
  override name = 'PortInUseError';
}

export async function checkPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') reject(new PortInUseError(`port ${port} on ${host} is in use (another tgpipe serve, or another program): pass --port N, or --port 0 for a free one`));
      else if (error.code === 'EACCES') reject(new PortInUseError(`port ${port} on ${host} needs privileges: pass --port 8080 (or any port above 1023)`));
      else reject(error);
    });
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}
