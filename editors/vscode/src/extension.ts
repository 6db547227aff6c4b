// Keel for VS Code: starts the `keel` language server over stdio, sends the keel.*
// settings (the sections of keel.toml), shows the server's pushed state in a language
// status item, and offers restart / status / model fetch / completion toggle commands.
// Inline completions and completion items come through vscode-languageclient's own
// providers (LSP 3.18 inline completion is native since its version 10).

import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';

/** The keel.toml sections the keel.* settings mirror. */
const SECTIONS = ['provider', 'completion', 'context', 'diagnostics', 'actions', 'privacy'];
const INSTALL = 'cargo install --path server';

/** What the server pushes as the `keel/status` notification. */
interface StatusNote {
  state: 'idle' | 'thinking' | 'error';
  message?: string | null;
  provider?: string | null;
  model?: string | null;
}

/** What the `keel/status` request returns. */
interface Status {
  provider?: string | null;
  model?: string | null;
  health: string;
  requests: number;
  providerCalls: number;
  cacheHits: number;
  cancellations: number;
  errors: number;
  latencyMs: { p50: number; p99: number; samples: number };
}

let client: LanguageClient | undefined;
let status: vscode.LanguageStatusItem;
let output: vscode.LogOutputChannel;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel('Keel', { log: true });
  status = vscode.languages.createLanguageStatusItem('keel.status', [
    { language: 'python' },
    { language: 'rust' },
  ]);
  status.name = 'Keel';
  status.command = { command: 'keel.showStatus', title: 'Show status' };
  showState({ state: 'idle' }, 'starting');
  context.subscriptions.push(
    output,
    status,
    vscode.commands.registerCommand('keel.restart', restart),
    vscode.commands.registerCommand('keel.showStatus', showStatus),
    vscode.commands.registerCommand('keel.fetchModel', fetchModel),
    vscode.commands.registerCommand('keel.toggleCompletions', toggleCompletions),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('keel.path')) {
        void restart();
      }
    }),
    { dispose: () => void client?.stop() },
  );
  await start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}

/** The keel.* settings as keel.toml's sections (empty sections left out). */
function settings(): Record<string, unknown> {
  const config = vscode.workspace.getConfiguration('keel');
  const sections: Record<string, unknown> = {};
  for (const section of SECTIONS) {
    const value = config.get<Record<string, unknown>>(section);
    if (value && Object.keys(value).length > 0) {
      sections[section] = value;
    }
  }
  return sections;
}

function completionsEnabled(): boolean {
  return vscode.workspace.getConfiguration('keel').get<boolean>('completions.enabled', true);
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The server binary: the keel.path setting, then `keel` on PATH (as ruff's and
 * rust-analyzer's extensions look); undefined when neither is there. */
function findServer(): string | undefined {
  const configured = vscode.workspace.getConfiguration('keel').get<string>('path', '').trim();
  if (configured) {
    return isExecutable(configured) ? configured : undefined;
  }
  const name = process.platform === 'win32' ? 'keel.exe' : 'keel';
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    if (dir && isExecutable(candidate)) {
      return candidate;
    }
  }
  return undefined;
}

async function start(): Promise<void> {
  const command = findServer();
  if (!command) {
    const configured = vscode.workspace.getConfiguration('keel').get<string>('path', '');
    const where = configured ? `at keel.path (${configured})` : 'on PATH';
    const message = `Keel: the keel binary was not found ${where}. Install it from a clone of Keel with \`${INSTALL}\` (it goes to ~/.cargo/bin), or set keel.path.`;
    showState({ state: 'error', message }, 'not found');
    const choice = await vscode.window.showErrorMessage(message, 'Open Settings');
    if (choice === 'Open Settings') {
      await vscode.commands.executeCommand('workbench.action.openSettings', 'keel.path');
    }
    return;
  }
  const serverOptions: ServerOptions = { command, args: [] };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'python' },
      { scheme: 'file', language: 'rust' },
    ],
    initializationOptions: settings(),
    // Sent again as workspace/didChangeConfiguration whenever a keel.* setting changes.
    synchronize: { configurationSection: 'keel' },
    outputChannel: output,
    middleware: {
      provideInlineCompletionItems: (document, position, context, token, next) =>
        completionsEnabled() ? next(document, position, context, token) : undefined,
      provideCompletionItem: (document, position, context, token, next) =>
        completionsEnabled() ? next(document, position, context, token) : undefined,
    },
  };
  client = new LanguageClient('keel', 'Keel', serverOptions, clientOptions);
  client.onNotification('keel/status', (note: StatusNote) => showState(note));
  try {
    await client.start();
  } catch (err) {
    showState({ state: 'error', message: String(err) }, 'failed to start');
  }
}

async function restart(): Promise<void> {
  const old = client;
  client = undefined;
  await old?.stop();
  await start();
}

function showState(note: StatusNote, override?: string): void {
  const what = [note.provider, note.model].filter(Boolean).join(' · ');
  const disabled = completionsEnabled() ? '' : ' (completions off)';
  switch (note.state) {
    case 'thinking':
      status.text = `$(loading~spin) Keel${disabled}`;
      status.severity = vscode.LanguageStatusSeverity.Information;
      status.busy = true;
      break;
    case 'error':
      status.text = `$(error) Keel: ${override ?? 'error'}`;
      status.severity = vscode.LanguageStatusSeverity.Error;
      status.busy = false;
      break;
    default:
      status.text = `$(check) Keel${override ? `: ${override}` : ''}${disabled}`;
      status.severity = vscode.LanguageStatusSeverity.Information;
      status.busy = false;
  }
  status.detail = note.state === 'error' ? (note.message ?? undefined) : what || undefined;
}

async function showStatus(): Promise<void> {
  if (!client?.isRunning()) {
    void vscode.window.showWarningMessage('Keel is not running.', 'Restart').then((choice) => {
      if (choice === 'Restart') {
        void restart();
      }
    });
    return;
  }
  const current = await client.sendRequest<Status>('keel/status');
  const lines = [
    `provider: ${current.provider ?? 'none'}`,
    `model: ${current.model ?? 'none'}`,
    `health: ${current.health}`,
    `requests: ${current.requests}, model calls: ${current.providerCalls}, cache hits: ${current.cacheHits}, cancelled: ${current.cancellations}, errors: ${current.errors}`,
    `time in Keel per request (the model's time excluded): p50 ${current.latencyMs.p50.toFixed(1)} ms, p99 ${current.latencyMs.p99.toFixed(1)} ms`,
  ];
  output.info(`keel/status\n${lines.join('\n')}`);
  output.show(true);
}

async function fetchModel(): Promise<void> {
  const command = findServer();
  if (!command) {
    void vscode.window.showErrorMessage(`Keel: install keel first: \`${INSTALL}\`.`);
    return;
  }
  await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: 'Keel: downloading the default model',
      cancellable: false,
    },
    () =>
      new Promise<void>((resolve) => {
        execFile(command, ['model', 'fetch'], (err, stdout, stderr) => {
          output.info(`keel model fetch\n${stdout}${stderr}`);
          if (err) {
            void vscode.window.showErrorMessage(
              `Keel: the model download failed: ${stderr.trim() || err.message}`,
            );
          } else {
            void vscode.window.showInformationMessage('Keel: the default model is ready.');
            void restart();
          }
          resolve();
        });
      }),
  );
}

async function toggleCompletions(): Promise<void> {
  const config = vscode.workspace.getConfiguration('keel');
  const enabled = !completionsEnabled();
  await config.update('completions.enabled', enabled, vscode.ConfigurationTarget.Global);
  void vscode.window.showInformationMessage(`Keel: AI completions ${enabled ? 'on' : 'off'}.`);
}
