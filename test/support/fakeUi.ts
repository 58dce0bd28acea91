import { LogqsError } from '../../src/core/errors';
import type { ObjectStoreCreateInput, ObjectStoreUpdateInput } from '../../src/core/objectStore';
import type { ConflictChoice } from '../../src/core/transfer';
import type { BrowsedItem, Ui } from '../../src/vscode/ui';

/**
 * The commands' Ui with scripted answers, recording what it was asked and
 * told. An unscripted question fails the test; `undefined` answers as a
 * person pressing Escape.
 */
export class FakeUi implements Ui {
  readonly told: string[] = [];
  readonly asked: string[] = [];
  confirmAnswer = true;
  newStore?: ObjectStoreCreateInput;
  storeChange?: ObjectStoreUpdateInput;
  /** Which item a picker picks, by label; undefined = Escape. */
  pickLabel?: string;
  chooseAnswer?: string;
  textAnswer?: string;
  browseAnswer?: BrowsedItem;
  localFolder?: string;
  localPaths?: string[];
  conflictAnswer?: ConflictChoice;
  readonly clipboard: string[] = [];
  readonly details: { title: string; rows: readonly (readonly [string, string])[] }[] = [];

  info(message: string) {
    this.told.push(`info: ${message}`);
  }

  warn(message: string) {
    this.told.push(`warn: ${message}`);
  }

  async confirm(message: string) {
    this.asked.push(`confirm: ${message}`);
    return this.confirmAnswer;
  }

  choose: Ui['choose'] = async (message, _detail, answers) => {
    this.asked.push(`choose: ${message} [${answers.join(' | ')}]`);
    const answer = answers.find((candidate) => candidate === this.chooseAnswer);
    return this.scripted(answer, 'choose');
  };

  askText: Ui['askText'] = async (request) => {
    this.asked.push(`askText: ${request.title}`);
    const answer = this.scripted(this.textAnswer, 'askText');
    const problem = request.validate?.(answer);
    if (problem) {
      // A person can't accept a refused value; the test scripted an impossible answer.
      throw new Error(`the input box refuses "${answer}": ${problem}`);
    }
    return answer;
  };

  browseStore: Ui['browseStore'] = async (ref, request) => {
    this.asked.push(`browseStore: ${request.title}: ${ref.store.name} (${request.want})`);
    return this.scripted(this.browseAnswer, 'browseStore');
  };

  pickLocalFolder: Ui['pickLocalFolder'] = async (request) => {
    this.asked.push(`pickLocalFolder: ${request.title}`);
    return this.scripted(this.localFolder, 'pickLocalFolder');
  };

  pickLocalPaths: Ui['pickLocalPaths'] = async (request) => {
    this.asked.push(`pickLocalPaths: ${request.title}`);
    return this.scripted(this.localPaths, 'pickLocalPaths');
  };

  askConflict: Ui['askConflict'] = async (existing) => {
    this.asked.push(`askConflict: ${existing}`);
    return this.scripted(this.conflictAnswer, 'askConflict');
  };

  copyToClipboard: Ui['copyToClipboard'] = async (text) => {
    this.clipboard.push(text);
  };

  showDetails: Ui['showDetails'] = (title, rows) => {
    this.details.push({ title, rows });
  };

  pickOne: Ui['pickOne'] = async (title, choices) => {
    this.asked.push(`pickOne: ${title}: ${choices.map((choice) => choice.label).join(' | ')}`);
    return this.pickFrom(choices, (choice) => choice.label).value;
  };

  pickSource: Ui['pickSource'] = async (sources, placeHolder) => {
    this.asked.push(`pickSource: ${placeHolder}: ${sources.map((source) => source.label).join(', ')}`);
    return this.pickFrom(sources, (source) => source.label);
  };

  pickStore: Ui['pickStore'] = async (stores, placeHolder) => {
    this.asked.push(`pickStore: ${placeHolder}: ${stores.map((ref) => ref.store.name).join(', ')}`);
    return this.pickFrom(stores, (ref) => ref.store.name);
  };

  async promptNewStore() {
    return this.scripted(this.newStore, 'promptNewStore');
  }

  async promptStoreChange() {
    return this.scripted(this.storeChange, 'promptStoreChange');
  }

  private pickFrom<T>(items: readonly T[], label: (item: T) => string): T {
    // Exact label, or the label without its leading icon ("$(copy) Copy…").
    const item = items.find((candidate) => label(candidate) === this.pickLabel || label(candidate).replace(/^\$\([\w-]+\) /, '') === this.pickLabel);
    if (!item) {
      throw new LogqsError('cancelled', 'Cancelled');
    }
    return item;
  }

  private scripted<T>(answer: T | undefined, question: string): T {
    if (!this.asked.at(-1)?.startsWith(question)) {
      this.asked.push(question);
    }
    if (answer === undefined) {
      throw new LogqsError('cancelled', 'Cancelled');
    }
    return answer;
  }
}
