/**
 * Progress on stderr for a person at a terminal: one line redrawn in place. When stderr is not a
 * terminal (CI, pipes, logs) it prints nothing: the commands print their results on stdout anyway.
 */
export interface Progress {
  tick(label: string): void;
  /** Redraws the line with a new label, without counting a step. */
  update(label: string): void;
  /** Clears the line before other output, so it is not mixed into the bar; the next tick redraws it. */
  clear(): void;
  done(): void;
}

const SILENT: Progress = { tick() {}, update() {}, clear() {}, done() {} };

export function progressBar(total: number, title: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return SILENT;
  let done = 0;
  let drawn = false;
  const started = Date.now();
  const width = 30;
  const render = (label: string): void => {
    const filled = total === 0 ? width : Math.min(width, Math.round((done / total) * width));
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    const line = `${title} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${secs}s ${label}`;
    stream.write(`\r${line.slice(0, (stream.columns ?? 100) - 1).padEnd((stream.columns ?? 100) - 1)}`);
    drawn = true;
  };
  return {
    tick(label) {
      done += 1;
      render(label);
    },
    update: render,
    clear() {
      if (drawn) stream.write('\r\x1b[K');
      drawn = false;
    },
    done() {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
}

/** Bytes for people: 75.3 MB. */
export const formatBytes = (n: number): string =>
  n < 1000 ? `${n} B` : n < 1e6 ? `${(n / 1e3).toFixed(1)} kB` : n < 1e9 ? `${(n / 1e6).toFixed(1)} MB` : `${(n / 1e9).toFixed(2)} GB`;
