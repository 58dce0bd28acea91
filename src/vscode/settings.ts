import * as vscode from 'vscode';
import { MAX_PAGE_SIZE } from '../core/objectBrowser';

/** Typed access to the contributed settings, with the schema's bounds applied. */
export function listingPageSize(): number {
  const value = vscode.workspace.getConfiguration('logqs').get<number>('objectListing.pageSize', MAX_PAGE_SIZE);
  return Number.isInteger(value) && value >= 1 && value <= MAX_PAGE_SIZE ? value : MAX_PAGE_SIZE;
}

export function requestTimeoutMs(): number {
  const seconds = vscode.workspace.getConfiguration('logqs').get<number>('requestTimeoutSeconds', 15);
  return Math.max(1, Math.min(600, Number.isFinite(seconds) ? seconds : 15)) * 1000;
}

/** Path of the provisioning file of managed stores (application scope: a workspace can't set it). */
export function managedStoresFile(): string | undefined {
  const value = vscode.workspace.getConfiguration('logqs').get<string>('managedObjectStoresFile', '').trim();
  return value === '' ? undefined : value;
}
