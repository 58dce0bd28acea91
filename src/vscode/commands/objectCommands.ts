import { LogqsError } from '../../core/errors';
import { formatBytes, objectDetailRows, s3Uri } from '../../core/format';
import type { CommandDeps } from './deps';
import { type Target, resolveTarget, resolveTargets } from './targets';
import { downloadTargets } from './transferCommands';

/** Open, copy and inspect one object: each a function of its dependencies and argument. */

type Deps = Pick<CommandDeps, 'sources' | 'ui' | 'report' | 'log' | 'objects' | 'editor' | 'settings' | 'runJob'>;

/**
 * Opens an object in an editor tab. Above the size limit the person is asked
 * first, and offered a download instead.
 */
export const openObject = (deps: Deps) => async (arg?: unknown, selected?: unknown) => {
  // Each object of a selection in a tab of its own (folders in it are not opened).
  const targets = await resolveTargets(deps, arg, selected, { title: 'Open Object', want: 'object', writes: false });
  if (targets.length === 0) {
    throw new LogqsError('invalid-input', 'Open works on objects');
  }
  // A preview tab is replaced by the next preview: each of several gets a tab that stays.
  const preview = targets.length === 1;
  for (const target of targets) {
    await openOne(deps, target, preview);
  }
};

async function openOne(deps: Deps, target: Target, preview: boolean): Promise<void> {
  const size = target.size ?? (await deps.objects.fetchObject(target.ref.source, target.ref.store.id, target.key)).details.size;
  const limit = deps.settings.openSizeLimitBytes();
  let large = false;
  if (size > limit) {
    const answer = await deps.ui.choose(
      `"${target.key}" is ${formatBytes(size)}, more than the ${formatBytes(limit)} an editor tab opens without asking.`,
      'Opening it reads the whole object into memory. Downloading it streams it to a file instead.',
      ['Open Anyway', 'Download…'] as const,
    );
    if (answer === 'Download…') {
      await downloadTargets(deps, [target]);
      return;
    }
    large = true;
  }
  await deps.editor.openObject({ sourceId: target.ref.source.id, storeId: target.ref.store.id, key: target.key }, { large, preview });
}

/** Copies a presigned URL of each object (of a selection: one a line; folders in it have none). */
export const copyPresignedUrl = (deps: Deps) => async (arg?: unknown, selected?: unknown) => {
  const targets = await resolveTargets(deps, arg, selected, { title: 'Copy Presigned URL', want: 'object', writes: false });
  if (targets.length === 0) {
    throw new LogqsError('invalid-input', 'Copy Presigned URL works on objects');
  }
  const expirySeconds = deps.settings.presignExpirySeconds();
  const fetched = [];
  for (const target of targets) {
    fetched.push(await deps.objects.presignedUrl(target.ref.source, target.ref.store.id, target.key, expirySeconds));
  }
  await deps.ui.copyToClipboard(fetched.map((url) => url.presignedUrl).join('\n'));
  const expiresAt = fetched[0].expiresAt;
  const until = expiresAt ? `, valid until ${expiresAt.toLocaleString()}` : '';
  const what = targets.length === 1 ? `a presigned URL for "${targets[0].key}"` : `${targets.length} presigned URLs, one a line`;
  deps.log.info(`Copied ${what} in "${targets[0].ref.store.name}"${until}`);
  deps.ui.info(`Copied ${what}${until}.`);
};

/** Copies a text of each target (of a selection: one a line), saying in the status bar what was copied. */
const copyEach = (title: string, noun: string, text: (target: Target) => string) => (deps: Deps) => async (arg?: unknown, selected?: unknown) => {
  const targets = await resolveTargets(deps, arg, selected, { title, want: 'either', writes: false });
  const texts = targets.map(text);
  await deps.ui.copyToClipboard(texts.join('\n'));
  deps.ui.status(texts.length === 1 ? `Copied ${noun}: ${texts[0]}` : `Copied ${texts.length} ${noun}s, one a line`);
};

export const copyS3Uri = copyEach('Copy S3 URI', 'S3 URI', (target) => s3Uri(target.ref.store.bucket_name, target.key));

export const copyKey = copyEach('Copy Key', 'key', (target) => {
  if (target.key === '') {
    throw new LogqsError('invalid-input', `The root of "${target.ref.store.name}" (no key_prefix) has no key to copy; Copy S3 URI names its bucket`);
  }
  return target.key;
});

export const showObjectDetails = (deps: Deps) => async (arg?: unknown) => {
  const target = await resolveTarget(deps, arg, { title: 'Show Details', want: 'object', writes: false });
  const { details, store } = await deps.objects.fetchObject(target.ref.source, target.ref.store.id, target.key);
  deps.ui.showDetails(details.key.slice(details.key.lastIndexOf('/') + 1) || details.key, objectDetailRows(store, details));
};
