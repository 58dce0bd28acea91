import {
  type ConnectionSettings,
  DEFAULT_API_URL,
  apiKeyIdSchema,
  apiKeySecretSchema,
  datastoreIdSchema,
  defaultConnectionName,
} from '../../core/connections';
import { isDataStoreSource } from '../../adapters/logqs/logqsStoreSource';
import { LogqsError } from '../../core/errors';
import { endpointUrlSchema } from '../../core/objectStore';
import { SourceNode } from '../explorer/nodes';
import type { CommandDeps } from './deps';
import { isInputObject } from './deps';

/** Connect to a LogQS DataStore, and disconnect: each a function of its dependencies and argument. */

type Deps = Pick<CommandDeps, 'sources' | 'ui' | 'log' | 'runJob' | 'connections'>;

/** The message for a bad value of a zod rule, or undefined when it is fine. */
const rule = (schema: { safeParse(value: unknown): { success: boolean; error?: { issues: { message: string }[] } } }, name: string) => (text: string) => {
  const result = schema.safeParse(text);
  return result.success ? undefined : `${name} ${result.error?.issues[0]?.message ?? 'is invalid'}`;
};

/** Asks for what the settings lack, showing where each known one came from. */
async function completeSettings(deps: Deps, known: ConnectionSettings): Promise<ConnectionSettings & { name: string }> {
  const title = 'Connect to LogQS';
  const apiUrl = known.apiUrl ?? (await deps.ui.askText({ title, prompt: 'API URL of LogQS (the hosted service unless you run your own)', value: DEFAULT_API_URL, validate: rule(endpointUrlSchema, 'The API URL') }));
  const datastoreId = known.datastoreId ?? (await deps.ui.askText({ title, prompt: 'DataStore ID (a UUID, from the LogQS app)', validate: rule(datastoreIdSchema, 'The DataStore ID') }));
  const apiKeyId = known.apiKeyId ?? (await deps.ui.askText({ title, prompt: 'API key ID', validate: rule(apiKeyIdSchema, 'The API key ID') }));
  const apiKeySecret =
    known.apiKeySecret ??
    // Where it goes, said: settings from a workspace's logqs-config.json may name another server than the person expects.
    (await deps.ui.askText({ title, prompt: `API key secret, sent to ${apiUrl}: kept in secret storage, never shown again`, password: true, validate: rule(apiKeySecretSchema, 'The API key secret') }));
  const name = await deps.ui.askText({ title, prompt: 'Name of this DataStore in the Object Stores view', value: defaultConnectionName(datastoreId) });
  return { ...known, apiUrl, datastoreId, apiKeyId, apiKeySecret, name };
}

export const connectToLogqs = (deps: Deps) => async (arg?: unknown) => {
  let settings: ConnectionSettings & { name?: string };
  if (isInputObject(arg)) {
    settings = arg;
  } else {
    const hints = await deps.connections.hints();
    const choice = hints.length === 0 ? {} : await deps.ui.pickOne('Connect to LogQS: where are the settings?', [
      ...hints.map((hint) => ({ label: `$(key) ${hint.label}`, description: hintDescription(hint.settings), value: hint.settings })),
      { label: '$(edit) Enter them', description: 'API URL, DataStore ID, API key ID and secret', value: {} },
    ]);
    settings = await completeSettings(deps, choice);
  }
  const source = await deps.runJob('Connecting to LogQS', (signal) => deps.connections.connect(settings, signal));
  deps.log.info(`Connected to ${source.label} (${settings.apiUrl ?? DEFAULT_API_URL}, DataStore ${settings.datastoreId})`);
  deps.ui.info(`Connected to the LogQS DataStore "${source.label}".`);
  return source.id;
};

export const disconnectFromLogqs = (deps: Deps) => async (arg?: unknown) => {
  const connected = deps.sources.all().filter(isDataStoreSource);
  const named = isInputObject(arg) && typeof arg.id === 'string' ? arg.id : undefined;
  const source =
    arg instanceof SourceNode ? arg.source : named !== undefined ? connected.find((candidate) => candidate.id === named) : await deps.ui.pickSource(connected, 'Disconnect from which LogQS DataStore?');
  if (!source || !isDataStoreSource(source)) {
    throw new LogqsError('not-found', 'That is not a connected LogQS DataStore');
  }
  // A caller that names the DataStore by id has decided already; a person is asked (one who picked it too).
  const declined =
    named === undefined &&
    !(await deps.ui.confirm(`Disconnect from "${source.label}"?`, 'Its object stores leave this view and its API key secret is removed from this editor. Nothing changes in LogQS.', 'Disconnect'));
  if (declined) {
    return;
  }
  await deps.connections.disconnect(source.id);
  deps.log.info(`Disconnected from ${source.label}`);
  deps.ui.info(`Disconnected from "${source.label}".`);
};

/** A hint as the picker shows it: its DataStore, and the server its secret would go to. */
function hintDescription(settings: ConnectionSettings): string {
  return [settings.datastoreId && `DataStore ${settings.datastoreId}`, `at ${settings.apiUrl ?? DEFAULT_API_URL}`].filter(Boolean).join(' ');
}
