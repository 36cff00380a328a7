/**
 * The page `tgpipe serve` answers at `/`: built once at start and again after each enrichment, never per
 * request. Requests get the last page built (a placeholder until the first build ends); rebuilds asked for
 * while one runs are folded into one more run after it.
 */
import type { QueryEngine } from '../../ports/catalog';
import { buildDashboard, type DashboardOptions } from './index';

export interface LivePage {
  /** The page as last built. */
  current(): string;
  /** Rebuilds; resolves when the page reflects the data as of the call. */
  rebuild(): Promise<void>;
  /** Builds so far (successful ones). */
  readonly builds: number;
}

export interface LivePageOptions extends DashboardOptions {
  /** Opens an engine for one build and closes it after (a fresh view of the folder each time). */
  readonly openEngine: () => Promise<QueryEngine>;
  readonly onError?: (error: Error) => void;
  readonly onBuilt?: (ms: number, bytes: number) => void;
}

const BUILDING =
  '<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="3"><title>tgpipe</title><p>tgpipe is running; the dashboard is being built and appears here in a moment.</p>';
const FAILED = '<!doctype html><meta charset="utf-8"><title>tgpipe</title><p>The dashboard could not be built; see the server log. It is built again after the next enrichment.</p>';

export function livePage(options: LivePageOptions): LivePage {
  let page = BUILDING;
  let builds = 0;
  let running: Promise<void> | undefined;
  let again = false;

  const once = async (): Promise<void> => {
    const started = performance.now();
    const engine = await options.openEngine();
    try {
      const html = await buildDashboard(engine, options);
      page = html;
      builds += 1;
      options.onBuilt?.(Math.round(performance.now() - started), Buffer.byteLength(html));
    } finally {
      await engine.close();
    }
  };

  const loop = async (): Promise<void> => {
    do {
      again = false;
      try {
        await once();
      } catch (error) {
        if (builds === 0) page = FAILED;
        options.onError?.(error as Error);
      }
    } while (again);
    running = undefined;
  };

  return {
    current: () => page,
    rebuild() {
      if (running) {
        again = true;
        return running;
      }
      running = loop();
      return running;
    },
    get builds() {
      return builds;
    },
  };
}
