import { LogqsError } from '../../src/core/errors';
import type { ObjectStoreCreateInput, ObjectStoreUpdateInput } from '../../src/core/objectStore';
import type { Ui } from '../../src/vscode/ui';

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
    const item = items.find((candidate) => label(candidate) === this.pickLabel);
    if (!item) {
      throw new LogqsError('cancelled', 'Cancelled');
    }
    return item;
  }

  private scripted<T>(answer: T | undefined, question: string): T {
    this.asked.push(question);
    if (answer === undefined) {
      throw new LogqsError('cancelled', 'Cancelled');
    }
    return answer;
  }
}
