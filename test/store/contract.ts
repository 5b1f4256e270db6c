/**
 * The repository contract: what every store (SQLite, PostgreSQL) must do, seen through the Store interface only.
 * Each test gets a fresh store from `open` and hands it to `close` afterwards.
 */
import { afterEach, beforeEach, describe } from 'vitest';
import type { Store } from '../../src/store/store.ts';
import { coreContract } from './contract/core.ts';
import { demandAnalyticsContract } from './contract/demand-analytics.ts';
import { escalationsContract } from './contract/escalations.ts';
import { faqDraftsContract } from './contract/faq-drafts.ts';
import { retentionContract } from './contract/retention.ts';
import { staffContract } from './contract/staff.ts';
import { unitsOfWorkContract } from './contract/units-of-work.ts';

export function describeStoreContract<S extends Store>(name: string, open: () => Promise<S>, close: (store: S) => Promise<void>): void {
  describe(`${name}: store contract`, () => {
    let current: S | undefined;
    const store = (): S => {
      if (!current) throw new Error('no store is open');
      return current;
    };
    beforeEach(async () => {
      current = await open();
    });
    afterEach(async () => {
      if (current) await close(current);
      current = undefined;
    });

    coreContract(store);
    unitsOfWorkContract(store);
    escalationsContract(store);
    staffContract(store);
    faqDraftsContract(store);
    retentionContract(store);
    demandAnalyticsContract(store);
  });
}
