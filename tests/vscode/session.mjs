// A user's session in real VS Code (code-server) driven through Debian's Chromium with
// playwright-core: the packaged extension installed from its .vsix, a Python file opened,
// ghost text shown and accepted with Tab, a diagnostic's squiggle and its quick fix.
// Screenshots of the ghost text and of the fixed line go to $KEEL_TEST_OUT.
// Run by tests/tests/vscode.rs, which provides `keel` on PATH and a model server.
// Exits 0 when every step passed.

import { spawn, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';

const env = process.env;
const need = (name) => {
  if (!env[name]) throw new Error(`${name} is not set`);
  return env[name];
};
const tools = need('KEEL_TEST_CODE_SERVER');
const vsix = need('KEEL_TEST_VSIX');
const home = need('KEEL_TEST_HOME');
const workspace = need('KEEL_TEST_WORKSPACE');
const endpoint = need('KEEL_TEST_ENDPOINT');
const keel = need('KEEL_TEST_KEEL');
const out = need('KEEL_TEST_OUT');
const port = Number(need('KEEL_TEST_PORT'));
const chromiumPath = env.KEEL_TEST_CHROMIUM || '/usr/bin/chromium';
const PATIENCE = 60_000;

const require = createRequire(path.join(tools, 'package.json'));
const { chromium } = require('playwright-core');
const codeServer = path.join(tools, 'node_modules', '.bin', 'code-server');

const userData = path.join(home, 'user-data');
const extensions = path.join(home, 'extensions');
const xdg = {
  XDG_CONFIG_HOME: path.join(home, 'config'),
  XDG_DATA_HOME: path.join(home, 'data'),
  XDG_CACHE_HOME: path.join(home, 'cache'),
  XDG_STATE_HOME: path.join(home, 'state'),
};
// The marketplace is out of reach: point it at a dead loopback address.
const serverEnv = {
  ...env,
  ...xdg,
  EXTENSIONS_GALLERY: JSON.stringify({ serviceUrl: 'http://127.0.0.1:9/gallery' }),
};
fs.mkdirSync(out, { recursive: true });
const settings = JSON.stringify({
  'chat.disableAIFeatures': true,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'editor.quickSuggestions': { other: false, comments: false, strings: false },
  'editor.inlineSuggest.enabled': true,
  'keel.path': keel,
  'keel.provider': { kind: 'openai-completions', endpoint, model: 'test-model' },
  'keel.completion': { debounce_ms: 0 },
});
// code-server is a remote window: machine-scoped settings such as keel.path are read
// from the Machine settings, the others from the User settings.
for (const scope of ['User', 'Machine']) {
  fs.mkdirSync(path.join(userData, scope), { recursive: true });
  fs.writeFileSync(path.join(userData, scope, 'settings.json'), settings);
}

const step = (name) => console.log(`ok: ${name}`);

execFileSync(
  codeServer,
  ['--user-data-dir', userData, '--extensions-dir', extensions, '--install-extension', vsix],
  { env: serverEnv, stdio: 'inherit' },
);
step('the .vsix installs offline');

const server = spawn(
  codeServer,
  [
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--bind-addr', `127.0.0.1:${port}`,
    '--user-data-dir', userData,
    '--extensions-dir', extensions,
    workspace,
  ],
  { env: serverEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
);
let serverLog = '';
server.stdout.on('data', (chunk) => (serverLog += chunk));
server.stderr.on('data', (chunk) => (serverLog += chunk));

let browser;
let page;
const stop = async () => {
  await browser?.close().catch(() => {});
  try {
    process.kill(-server.pid, 'SIGTERM'); // the whole process group
  } catch {}
};

const fail = async (what, err) => {
  console.error(`FAILED: ${what}\n${err?.stack ?? err ?? ''}`);
  if (page) await page.screenshot({ path: path.join(out, 'failure.png') }).catch(() => {});
  console.error(`--- code-server log ---\n${serverLog.slice(-20000)}`);
  await stop();
  process.exit(1);
};

// Ends the session (and code-server's process group) before the Rust test gives up on it.
setTimeout(() => void fail('the whole session', 'took longer than 9 minutes'), 540_000).unref();

const run = async (name, action) => {
  try {
    await action();
    step(name);
  } catch (err) {
    await fail(name, err);
  }
};

const appFile = path.join(workspace, 'app.py');
const fileLine = (n) => fs.readFileSync(appFile, 'utf8').split('\n')[n - 1];
const waitFor = async (what, predicate) => {
  const deadline = Date.now() + PATIENCE;
  while (Date.now() < deadline) {
    if (await predicate()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
};

await run('code-server answers', () =>
  waitFor('code-server', async () => {
    try {
      return (await fetch(`http://127.0.0.1:${port}/healthz`)).ok;
    } catch {
      return false;
    }
  }),
);

await run('the workbench opens in Chromium', async () => {
  browser = await chromium.launchPersistentContext(path.join(home, 'chromium'), {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  page = browser.pages()[0] ?? (await browser.newPage());
  await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`);
  await page.locator('.monaco-workbench').waitFor({ timeout: PATIENCE });
});

const goToLine = async (line) => {
  await page.keyboard.press('Control+G');
  await page.keyboard.type(String(line));
  await page.keyboard.press('Enter');
};

await run('app.py opens', async () => {
  await page
    .locator('.explorer-folders-view .monaco-list-row', { hasText: 'app.py' })
    .dblclick({ timeout: PATIENCE });
  await page.locator('.monaco-editor .view-lines').first().waitFor({ timeout: PATIENCE });
});

await run('the missing timeout shows a squiggle', async () => {
  await page
    .locator('.monaco-editor .squiggly-warning, .monaco-editor .squiggly-error')
    .first()
    .waitFor({ timeout: PATIENCE });
});

await run('ghost text appears on the empty line and Tab accepts it whole', async () => {
  await page.locator('.monaco-editor .view-lines').first().click();
  await goToLine(12);
  await page.keyboard.press('End');
  // As a user asks for a suggestion without typing: Trigger Inline Suggestion.
  await page.keyboard.press('F1');
  await page.keyboard.type('Trigger Inline Suggestion');
  await page
    .locator('.quick-input-list .monaco-list-row', { hasText: 'Trigger Inline Suggestion' })
    .first()
    .click({ timeout: PATIENCE });
  const ghost = page.locator('.monaco-editor .ghost-text-decoration, .monaco-editor .ghost-text');
  await ghost.first().waitFor({ timeout: PATIENCE });
  await page.screenshot({ path: path.join(out, 'ghost-text.png') });
  await page.keyboard.press('Tab');
  await page.keyboard.press('Control+S');
  await waitFor('the accepted line on disk', () => fileLine(12) === '        return json.load(f)');
});

await run('the quick fix applies from the start of the flagged line', async () => {
  await goToLine(7);
  await page.keyboard.press('Home');
  await page.keyboard.press('Home'); // the first press stops at the indentation
  await page.keyboard.press('Control+.');
  const fix = page.locator('.action-widget [role="option"]', { hasText: 'py-http-no-timeout' });
  await fix.filter({ hasNotText: 'Ignore' }).first().click({ timeout: PATIENCE });
  await page.keyboard.press('Control+S');
  await waitFor('the fixed line on disk', () => fileLine(7).includes('timeout='));
  await page.screenshot({ path: path.join(out, 'fixed-line.png') });
});

await stop();
console.log('vscode session: all steps passed');
process.exit(0);
