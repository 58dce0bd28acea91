import Module from 'node:module';
import * as path from 'node:path';

/**
 * Just enough of the `vscode` module to run `activate` in a plain Node
 * process (the start-up test, `npm run bench:activation`): the classes and
 * enums the extension uses are real enough to list a store's objects through
 * the tree; any other member of a namespace (window, workspace, …) answers
 * anything, so a new API call at start-up doesn't break the probe.
 */
export interface VscodeStub {
  /** Settings by full name (`logqs.objectListing.pageSize`); unset ones take the caller's default. */
  settings: Record<string, unknown>;
  /** Every notification shown (errors at start-up or in the first listing end up here). */
  messages: string[];
  /** The output channel's lines. */
  log: string[];
  commands: Map<string, (...args: unknown[]) => unknown>;
  /** The data provider of each tree view created, by view id. */
  treeDataProviders: Map<string, unknown>;
}

/** Anything at all: callable, constructible, every property another one; never a thenable. */
function anything(): unknown {
  const target = function () {};
  return new Proxy(target, {
    get: (_target, property) => (property === 'then' ? undefined : property === Symbol.toPrimitive ? () => '' : anything()),
    apply: () => anything(),
    construct: () => anything() as object,
  });
}

/** `members`, and anything for the members it lacks. */
function namespace<T extends object>(members: T): T {
  return new Proxy(members, { get: (target, property) => (property in target ? (target as Record<string | symbol, unknown>)[property] : anything()) });
}

class Disposable {
  static from(...disposables: { dispose(): unknown }[]) {
    return new Disposable(() => disposables.forEach((disposable) => disposable.dispose()));
  }
  constructor(private readonly callOnDispose: () => unknown = () => undefined) {}
  dispose() {
    this.callOnDispose();
  }
}

class EventEmitter<T> {
  private listeners = new Set<(value: T) => unknown>();
  readonly event = (listener: (value: T) => unknown) => {
    this.listeners.add(listener);
    return new Disposable(() => this.listeners.delete(listener));
  };
  fire(value: T) {
    this.listeners.forEach((listener) => listener(value));
  }
  dispose() {
    this.listeners.clear();
  }
}

const noEvent = () => new Disposable();

class Uri {
  private constructor(
    readonly scheme: string,
    readonly authority: string,
    readonly path: string,
    readonly query: string,
    readonly fragment: string,
  ) {}
  static file(fsPath: string) {
    return new Uri('file', '', path.resolve(fsPath), '', '');
  }
  static parse(value: string) {
    const url = new URL(value);
    return new Uri(url.protocol.slice(0, -1), url.host, decodeURIComponent(url.pathname), url.search.slice(1), url.hash.slice(1));
  }
  static from(parts: { scheme: string; authority?: string; path?: string; query?: string; fragment?: string }) {
    return new Uri(parts.scheme, parts.authority ?? '', parts.path ?? '', parts.query ?? '', parts.fragment ?? '');
  }
  static joinPath(base: Uri, ...segments: string[]) {
    return base.with({ path: path.posix.join(base.path, ...segments) });
  }
  get fsPath() {
    return this.path;
  }
  with(change: { scheme?: string; authority?: string; path?: string; query?: string; fragment?: string }) {
    return new Uri(change.scheme ?? this.scheme, change.authority ?? this.authority, change.path ?? this.path, change.query ?? this.query, change.fragment ?? this.fragment);
  }
  toString() {
    return `${this.scheme}://${this.authority}${this.path}${this.query ? `?${this.query}` : ''}`;
  }
}

class TreeItem {
  constructor(
    public label: unknown,
    public collapsibleState = 0,
  ) {}
}

class ThemeIcon {
  static readonly File = new ThemeIcon('file');
  static readonly Folder = new ThemeIcon('folder');
  constructor(
    readonly id: string,
    readonly color?: unknown,
  ) {}
}

class ThemeColor {
  constructor(readonly id: string) {}
}

class MarkdownString {
  constructor(public value = '') {}
  appendMarkdown(text: string) {
    this.value += text;
    return this;
  }
  appendText(text: string) {
    this.value += text;
    return this;
  }
  appendCodeblock(code: string, language = '') {
    this.value += `\n\`\`\`${language}\n${code}\n\`\`\`\n`;
    return this;
  }
}

class FileSystemError extends Error {
  static FileNotFound = (what?: unknown) => new FileSystemError(`FileNotFound ${String(what)}`);
  static FileExists = (what?: unknown) => new FileSystemError(`FileExists ${String(what)}`);
  static FileIsADirectory = (what?: unknown) => new FileSystemError(`FileIsADirectory ${String(what)}`);
  static FileNotADirectory = (what?: unknown) => new FileSystemError(`FileNotADirectory ${String(what)}`);
  static NoPermissions = (what?: unknown) => new FileSystemError(`NoPermissions ${String(what)}`);
  static Unavailable = (what?: unknown) => new FileSystemError(`Unavailable ${String(what)}`);
}

function createApi(stub: VscodeStub) {
  const show = (message: string) => {
    stub.messages.push(message);
    return Promise.resolve(undefined);
  };
  const channel = namespace({
    info: (line: string) => stub.log.push(line),
    warn: (line: string) => stub.log.push(line),
    error: (line: string) => stub.log.push(line),
    appendLine: (line: string) => stub.log.push(line),
    show: () => undefined,
    dispose: () => undefined,
  });
  return {
    Disposable,
    EventEmitter,
    Uri,
    TreeItem,
    ThemeIcon,
    ThemeColor,
    MarkdownString,
    FileSystemError,
    DataTransfer: class {},
    DataTransferItem: class {},
    TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
    FileType: { Unknown: 0, File: 1, Directory: 2, SymbolicLink: 64 },
    FilePermission: { Readonly: 1 },
    FileChangeType: { Changed: 1, Created: 2, Deleted: 3 },
    ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
    ConfigurationTarget: { Global: 1, Workspace: 2, WorkspaceFolder: 3 },
    window: namespace({
      createOutputChannel: () => channel,
      createTreeView: (id: string, options: { treeDataProvider: unknown }) => {
        stub.treeDataProviders.set(id, options.treeDataProvider);
        return namespace({ dispose: () => undefined, visible: true, selection: [] });
      },
      showInformationMessage: show,
      showWarningMessage: show,
      showErrorMessage: show,
    }),
    commands: namespace({
      registerCommand: (id: string, run: (...args: unknown[]) => unknown) => {
        stub.commands.set(id, run);
        return new Disposable(() => stub.commands.delete(id));
      },
      executeCommand: async (id: string, ...args: unknown[]) => stub.commands.get(id)?.(...args),
    }),
    workspace: namespace({
      workspaceFolders: undefined,
      getConfiguration: () =>
        namespace({
          get: (name: string, fallback?: unknown) => (name in stub.settings ? stub.settings[name] : fallback),
          has: (name: string) => name in stub.settings,
        }),
      onDidChangeConfiguration: noEvent,
      registerFileSystemProvider: () => new Disposable(),
    }),
    env: namespace({ clipboard: namespace({ readText: async () => '', writeText: async () => undefined }) }),
  };
}

/** Where `require('vscode')` resolves to; no such file exists. */
const STUB_FILENAME = path.join(__dirname, 'vscode-stub-module.js');

/** Makes `require('vscode')` in this process return the stub (call it before requiring the extension). */
export function installVscodeStub(): VscodeStub {
  const stub: VscodeStub = { settings: {}, messages: [], log: [], commands: new Map(), treeDataProviders: new Map() };
  const stubModule = new Module(STUB_FILENAME);
  stubModule.filename = STUB_FILENAME;
  stubModule.exports = createApi(stub);
  stubModule.loaded = true;
  require.cache[STUB_FILENAME] = stubModule;
  const internals = Module as unknown as { _resolveFilename: (this: unknown, request: string, ...rest: unknown[]) => string };
  const resolve = internals._resolveFilename;
  internals._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]) {
    return request === 'vscode' ? STUB_FILENAME : resolve.call(this, request, ...rest);
  };
  return stub;
}

/** An ExtensionContext whose global storage is `storageDir` and whose secret storage is `secrets`. */
export function fakeExtensionContext(storageDir: string, secrets = new Map<string, string>()) {
  const memento = () => {
    const values = new Map<string, unknown>();
    return namespace({
      get: (key: string, fallback?: unknown) => (values.has(key) ? values.get(key) : fallback),
      update: async (key: string, value: unknown) => void values.set(key, value),
      keys: () => [...values.keys()],
    });
  };
  return namespace({
    subscriptions: [] as { dispose(): unknown }[],
    globalStorageUri: Uri.file(storageDir),
    storageUri: Uri.file(path.join(storageDir, 'workspace')),
    logUri: Uri.file(path.join(storageDir, 'logs')),
    extensionUri: Uri.file(storageDir),
    extensionPath: storageDir,
    globalState: memento(),
    workspaceState: memento(),
    secrets: namespace({
      get: async (key: string) => secrets.get(key),
      store: async (key: string, value: string) => void secrets.set(key, value),
      delete: async (key: string) => void secrets.delete(key),
      onDidChange: noEvent,
    }),
  });
}
