import { formatBytes, objectDetailRows, s3Uri } from '../../core/format';
import type { CommandDeps } from './deps';
import { resolveTarget } from './targets';
import { downloadTargets } from './transferCommands';

/** Open, copy and inspect one object: each a function of its dependencies and argument. */

type Deps = Pick<CommandDeps, 'sources' | 'ui' | 'report' | 'log' | 'objects' | 'editor' | 'settings' | 'runJob'>;

/**
 * Opens an object in an editor tab. Above the size limit the person is asked
 * first, and offered a download instead.
 */
export const openObject = (deps: Deps) => async (arg?: unknown) => {
  const target = await resolveTarget(deps, arg, { title: 'Open Object', want: 'object', writes: false });
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
  await deps.editor.openObject({ sourceId: target.ref.source.id, storeId: target.ref.store.id, key: target.key }, { large });
};

export const copyPresignedUrl = (deps: Deps) => async (arg?: unknown) => {
  const target = await resolveTarget(deps, arg, { title: 'Copy Presigned URL', want: 'object', writes: false });
  const fetched = await deps.objects.presignedUrl(target.ref.source, target.ref.store.id, target.key, deps.settings.presignExpirySeconds());
  await deps.ui.copyToClipboard(fetched.presignedUrl);
  const until = fetched.expiresAt ? `, valid until ${fetched.expiresAt.toLocaleString()}` : '';
  deps.log.info(`Copied a presigned URL for "${target.key}" in "${target.ref.store.name}"${until}`);
  deps.ui.info(`Copied a presigned URL for "${target.key}"${until}.`);
};

export const copyS3Uri = (deps: Deps) => async (arg?: unknown) => {
  const target = await resolveTarget(deps, arg, { title: 'Copy S3 URI', want: 'either', writes: false });
  await deps.ui.copyToClipboard(s3Uri(target.ref.store.bucket_name, target.key));
};

export const copyKey = (deps: Deps) => async (arg?: unknown) => {
  const target = await resolveTarget(deps, arg, { title: 'Copy Key', want: 'either', writes: false });
  await deps.ui.copyToClipboard(target.key);
};

export const showObjectDetails = (deps: Deps) => async (arg?: unknown) => {
  const target = await resolveTarget(deps, arg, { title: 'Show Details', want: 'object', writes: false });
  const { details, store } = await deps.objects.fetchObject(target.ref.source, target.ref.store.id, target.key);
  deps.ui.showDetails(details.key.slice(details.key.lastIndexOf('/') + 1) || details.key, objectDetailRows(store, details));
};
