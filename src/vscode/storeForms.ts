import * as vscode from 'vscode';
import { cancelledError as cancelled } from '../core/errors';
import {
  EDITABLE_FIELDS,
  type EditableField,
  type ObjectStore,
  type ObjectStoreCreateInput,
  type ObjectStoreUpdateInput,
  type TextField,
  endpointBucketProblem,
  parseContextJson,
  validateField,
} from '../core/objectStore';
import { nameTakenMessage } from '../core/storeRules';

/** The input boxes that fill in an object store's fields (Add and Edit). Escape anywhere cancels quietly. */

interface TextStep {
  field: TextField;
  prompt: string;
  placeHolder?: string;
  value?: string;
  password?: boolean;
}

export interface InputRequest extends Omit<TextStep, 'field'> {
  title: string;
  /** The message for a bad value, or undefined when it is fine. */
  validate?: (text: string) => string | undefined;
}

/** An input box that rejects 'cancelled' on Escape. */
export async function askText({ validate, ...options }: InputRequest): Promise<string> {
  const value = await vscode.window.showInputBox({ ...options, ignoreFocusOut: true, validateInput: validate });
  if (value === undefined) {
    throw cancelled();
  }
  return value;
}

/**
 * The field's own rule; for a name, that no other store has it (`exceptId`: the store being edited); for an
 * endpoint_url, that it doesn't name the bucket (`bucket`: the one answered or kept).
 */
function fieldRule(field: TextField, stores: readonly ObjectStore[], exceptId?: string, bucket?: string) {
  return (text: string) =>
    validateField(field, text) ??
    (field === 'name' ? nameTakenMessage(stores, text.trim(), exceptId) : field === 'endpoint_url' ? endpointBucketProblem(text, bucket) : undefined);
}

/** The message a parse function throws for a bad value, or undefined when it accepts it. */
function problemWith(parse: () => unknown): string | undefined {
  try {
    parse();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** `current`: the answer Enter gives, shown as `currentNote` ("(current)" of an edit, "(default)" of a new store). */
async function askYesNo(title: string, question: string, current: boolean, currentNote: string): Promise<boolean> {
  // A single-choice pick ignores `picked`: the current answer goes first, so that Enter keeps it.
  const answer = (value: boolean) => ({ label: value ? 'Yes' : 'No', value, description: value === current ? currentNote : undefined });
  const items = [answer(current), answer(!current)];
  const choice = await vscode.window.showQuickPick(items, { title, placeHolder: question, ignoreFocusOut: true });
  if (!choice) {
    throw cancelled();
  }
  return choice.value;
}

const CREATE_STEPS: TextStep[] = [
  { field: 'name', prompt: 'name: a unique name for this object store', placeHolder: 'robot-logs' },
  { field: 'bucket_name', prompt: 'bucket_name: the bucket that holds the log data', placeHolder: 'my-robot-logs' },
  { field: 'region_name', prompt: 'region_name: the bucket\'s region (R2 uses "auto")', value: 'us-east-1' },
  { field: 'access_key_id', prompt: 'access_key_id: of an IAM user (or service account) with access to the bucket' },
  {
    field: 'secret_access_key',
    // Where it is kept is the source's to say (see promptForNewStore).
    prompt: 'secret_access_key: {keptBy}; it can\'t be shown or changed after creation',
    password: true,
  },
  {
    field: 'endpoint_url',
    prompt: 'endpoint_url (optional): for S3-compatible services such as MinIO, Ceph or R2; leave empty for AWS S3',
    placeHolder: 'https://s3.example.com',
  },
  {
    field: 'key_prefix',
    prompt: 'key_prefix (optional): every key is scoped under it, such as logs/; leave empty for the whole bucket',
    placeHolder: 'logs/',
  },
];

/** Asks for every field of a new object store, in order. */
export async function promptForNewStore(stores: readonly ObjectStore[], secretKeptBy: string): Promise<ObjectStoreCreateInput> {
  const total = CREATE_STEPS.length + 2;
  const title = (index: number) => `Add Object Store (${index + 1}/${total})`;
  const answers: Record<string, string> = {};
  for (const [index, { field, ...step }] of CREATE_STEPS.entries()) {
    const prompt = step.prompt.replace('{keptBy}', secretKeptBy);
    answers[field] = await askText({ ...step, prompt, title: title(index), validate: fieldRule(field, stores, undefined, answers.bucket_name?.trim()) });
  }
  const readOnly = await askYesNo(title(CREATE_STEPS.length), 'read_only: refuse writes to this object store?', false, '(default)');
  const note = await askText({
    title: title(CREATE_STEPS.length + 1),
    prompt: 'note (optional): anything worth knowing about this object store',
    validate: fieldRule('note', stores),
  });
  return {
    name: answers.name,
    bucket_name: answers.bucket_name,
    region_name: answers.region_name,
    access_key_id: answers.access_key_id,
    secret_access_key: answers.secret_access_key,
    endpoint_url: answers.endpoint_url,
    key_prefix: answers.key_prefix,
    read_only: readOnly,
    note,
  };
}

function currentValue(store: ObjectStore, field: EditableField): string {
  const value = store[field];
  if (value === null) {
    return '';
  }
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Asks which field to change and its new value; returns the change to apply. */
export async function promptForStoreChange(store: ObjectStore, stores: readonly ObjectStore[]): Promise<ObjectStoreUpdateInput> {
  const title = `Edit Object Store "${store.name}"`;
  const choice = await vscode.window.showQuickPick(
    EDITABLE_FIELDS.map((field) => ({ label: field, description: currentValue(store, field) || '(empty)', field })),
    {
      title,
      placeHolder: 'Which field? (access_key_id and secret_access_key can\'t be changed after creation)',
      ignoreFocusOut: true,
    },
  );
  if (!choice) {
    throw cancelled();
  }
  const field = choice.field;
  if (field === 'read_only' || field === 'disabled') {
    return { [field]: await askYesNo(title, `${field}?`, store[field], '(current)') };
  }
  if (field === 'context') {
    const text = await askText({
      title,
      prompt: 'context: a JSON object, or empty to clear it',
      value: currentValue(store, 'context'),
      validate: (value) => problemWith(() => parseContextJson(value)),
    });
    return { context: parseContextJson(text) };
  }
  const value = await askText({
    title,
    prompt: `${field}${field === 'endpoint_url' || field === 'key_prefix' || field === 'note' ? ' (empty to clear)' : ''}`,
    value: currentValue(store, field),
    validate: fieldRule(field, stores, store.id, store.bucket_name),
  });
  return { [field]: value };
}
