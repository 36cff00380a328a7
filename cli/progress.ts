/**
 * A one-line progress bar on stderr for ranges of days; silent when stderr is not a terminal (CI, pipes),
 * where each finished step is printed as a plain line instead.
 */
export interface Progress {
  tick(label: string): void;
  done(): void;
}

export function progressBar(total: number, title: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  let done = 0;
  const started = Date.now();
  const width = 30;
  const render = (label: string): void => {
    const filled = total === 0 ? width : Math.round((done / total) * width);
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    const line = `${title} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${secs}s ${label}`;
    if (stream.isTTY) stream.write(`\r${line.slice(0, (stream.columns ?? 100) - 1).padEnd((stream.columns ?? 100) - 1)}`);
    else stream.write(`${line}\n`);
  };
  return {
    tick(label) {
      done += 1;
      render(label);
    },
    done() {
      if (stream.isTTY) stream.write('\n');
    },
  };
}
