#!/usr/bin/env node
// `npm test` runs this first (pretest): the tests use two system programs for real, jq (Firehose's JQ
// dialect) and Chromium (the dashboard in a browser). When one is missing it installs them with apt-get
// where it may (root, Debian), as CI does; otherwise it names the command to run and stops.
import { execFileSync, spawnSync } from 'node:child_process';

const TOOLS = [
  { command: 'jq', pkg: 'jq' },
  { command: 'chromium', pkg: 'chromium' },
];

const onPath = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
const missing = TOOLS.filter((t) => !onPath(t.command));
if (missing.length === 0) process.exit(0);

const pkgs = missing.map((t) => t.pkg);
const canInstall = process.getuid?.() === 0 && onPath('apt-get');
if (!canInstall) {
  console.error(`npm test needs ${pkgs.join(' and ')} (system packages). Install them, then run npm test again:\n  sudo apt-get install -y --no-install-recommends ${pkgs.join(' ')}`);
  process.exit(1);
}
console.error(`npm test: installing ${pkgs.join(' ')} with apt-get (once)...`);
try {
  execFileSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'] });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
} catch (error) {
  console.error(`npm test: apt-get install ${pkgs.join(' ')} failed (${error.message}); install them by hand and run npm test again`);
  process.exit(1);
}
