import * as vscode from 'vscode';
import type { TransferSettings } from '../core/transfer';
import manifest from '../../package.json';

/**
 * Typed access to the contributed settings. Each setting's default and
 * bounds live once, in package.json; a value out of bounds falls back to the
 * default rather than breaking a request.
 */
type Properties = typeof manifest.contributes.configuration.properties;
type NumberSetting = { [K in keyof Properties]: Properties[K] extends { minimum: number; maximum: number; default: number } ? K : never }[keyof Properties];

function numberSetting(name: NumberSetting): number {
  const schema: { type: string; default: number; minimum: number; maximum: number } = manifest.contributes.configuration.properties[name];
  const value = vscode.workspace.getConfiguration().get<unknown>(name);
  const fits = typeof value === 'number' && value >= schema.minimum && value <= schema.maximum && (schema.type !== 'integer' || Number.isInteger(value));
  return fits ? value : schema.default;
}

export const listingPageSize = () => numberSetting('logqs.objectListing.pageSize');

export const requestTimeoutMs = () => numberSetting('logqs.requestTimeoutSeconds') * 1000;

/** Path of the provisioning file of managed stores (application scope: a workspace can't set it). */
export function managedStoresFile(): string | undefined {
  const value = vscode.workspace.getConfiguration().get<string>('logqs.managedObjectStoresFile')?.trim();
  return value ? value : undefined;
}

const MIB = 1024 * 1024;

export const presignExpirySeconds = () => numberSetting('logqs.presignedUrl.expirySeconds');

export const openSizeLimitBytes = () => numberSetting('logqs.open.maxSizeMiB') * MIB;

export function transferSettings(): TransferSettings {
  return {
    partSizeBytes: numberSetting('logqs.transfer.partSizeMiB') * MIB,
    partConcurrency: numberSetting('logqs.transfer.partConcurrency'),
    loopbackPartConcurrency: numberSetting('logqs.transfer.loopbackPartConcurrency'),
    fileConcurrency: numberSetting('logqs.transfer.fileConcurrency'),
    presignExpirySeconds: presignExpirySeconds(),
  };
}

export const sessionDurationSeconds = () => numberSetting('logqs.sessionCredentials.durationSeconds');
