import { awsCliProfile, boto3Snippet, credentialEnvironment, environmentSnippet, type Shell } from '../../core/credentialFormats';
import type { SessionCredentials } from '../../core/ports';
import type { StoreRef } from '../../core/sources';
import { assertUsable } from '../../core/storeRules';
import { isDataStoreSource } from '../../adapters/logqs/logqsStoreSource';
import type { CommandDeps } from './deps';
import { targetStore } from './storeCommands';

/** Session credentials for a store, and the ways to use them: each a function of its dependencies and argument. */

type Deps = Pick<CommandDeps, 'sources' | 'ui' | 'report' | 'log' | 'runJob' | 'editor' | 'sessionCredentials'>;

type Action = { kind: 'environment'; shell: Shell } | { kind: 'profile' } | { kind: 'boto3' } | { kind: 'terminal' };

const time = (date: Date) => date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
/**
 * What the credentials reach, as a person reads it: "bucket/prefix, read-only". A LogQS DataStore's are LogQS's
 * to scope (its read-only stores' may still write): said as such, not promised here.
 */
const scopeOf = ({ source, store }: StoreRef) =>
  `${store.bucket_name}/${store.key_prefix ?? ''}${isDataStoreSource(source) ? ', as LogQS scopes them' : store.read_only ? ', read-only' : ''}`;

async function credentialsFor(deps: Deps, arg: unknown, title: string): Promise<{ ref: StoreRef; credentials: SessionCredentials }> {
  // Credentials are for a whole store: a store is picked, not browsed.
  const ref = await targetStore(deps, arg, `${title}: which object store?`, (store) => !store.disabled);
  // A node or an id may name a store disabled since; the credential cache would hand out the set it kept.
  assertUsable(ref.store);
  const credentials = await deps.runJob(`Getting session credentials for "${ref.store.name}"`, (signal) => deps.sessionCredentials(ref, signal));
  // The store and the expiry only: the credentials themselves are never logged.
  deps.log.info(`Session credentials for "${ref.store.name}" issued, valid until ${credentials.expiration.toISOString()}`);
  return { ref, credentials };
}

function openTerminal(deps: Deps, ref: StoreRef, credentials: SessionCredentials): void {
  deps.editor.openTerminal(
    `LogQS: ${ref.store.name} (until ${time(credentials.expiration)})`,
    credentialEnvironment(ref.store, credentials),
    `Session credentials for "${ref.store.name}" (${scopeOf(ref)}) are set in this terminal's AWS_* variables. They expire at ${credentials.expiration.toLocaleString()}.`,
  );
}

/** Gets the credentials, shows when they expire, and offers what to do with them. */
export const getSessionCredentials = (deps: Deps) => async (arg?: unknown) => {
  const { ref, credentials } = await credentialsFor(deps, arg, 'Get Session Credentials');
  const action = await deps.ui.pickOne<Action>(`Session credentials for "${ref.store.name}" (${scopeOf(ref)}), valid until ${credentials.expiration.toLocaleString()}`, [
    { label: '$(terminal) Open Terminal with Session Credentials', description: 'AWS_* variables set in a new terminal', value: { kind: 'terminal' } },
    { label: '$(copy) Copy as Environment Variables (bash, zsh)', description: 'export AWS_…=…', value: { kind: 'environment', shell: 'bash' } },
    { label: '$(copy) Copy as Environment Variables (fish)', description: 'set -gx AWS_… …', value: { kind: 'environment', shell: 'fish' } },
    { label: '$(copy) Copy as Environment Variables (PowerShell)', description: '$env:AWS_… = …', value: { kind: 'environment', shell: 'powershell' } },
    { label: '$(copy) Copy as AWS CLI Profile', description: '[profile …] for ~/.aws/config and ~/.aws/credentials', value: { kind: 'profile' } },
    { label: '$(copy) Copy boto3 Snippet', description: 'Python, with endpoint_url and region filled in', value: { kind: 'boto3' } },
  ]);
  if (action.kind === 'terminal') {
    openTerminal(deps, ref, credentials);
    return;
  }
  const text =
    action.kind === 'environment' ? environmentSnippet(ref.store, credentials, action.shell) : action.kind === 'profile' ? awsCliProfile(ref.store, credentials).text : boto3Snippet(ref.store, credentials);
  await deps.ui.copyToClipboard(text);
  deps.ui.info(`Copied session credentials for "${ref.store.name}" (valid until ${time(credentials.expiration)}). They are secret: paste them only where they are needed.`);
};

export const openSessionTerminal = (deps: Deps) => async (arg?: unknown) => {
  const { ref, credentials } = await credentialsFor(deps, arg, 'Open Terminal with Session Credentials');
  openTerminal(deps, ref, credentials);
};
