/**
 * `npm run train:decision [-- --datasets ../shared/datasets]`: learns engine v2's decision from every labelled
 * set with leave-intents-out folds (see decision-training.ts), prints how it does on each set when that set is
 * left out of learning, and writes src/nlu/decision-weights.json. The project's own test set is never learned
 * from: it stays a held-out check of the shipped decision.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { FEATURE_NAMES } from '../nlu/candidate-features.ts';
import type { DecisionWeights } from '../nlu/retrieval-matcher.ts';
import { collectRows, fitDecision, leaveOneSetOut, type DecisionRow } from './decision-training.ts';
import { labelledSets } from './eval-suite.ts';

const { values } = parseArgs({ options: { datasets: { type: 'string', default: '../shared/datasets' } } });
const rows: DecisionRow[] = [];
const used: string[] = [];
const HELD_OUT = 'Huiying test set';
const learning = (set: string): boolean => set !== HELD_OUT;
for (const entry of labelledSets(values.datasets)) {
  const set = entry.load();
  if (set.oosFolds.length === 0) {
    console.log(`${set.name}: no leave-intents-out folds (${set.oosProtocol}), not used`);
    continue;
  }
  const started = performance.now();
  const setRows = collectRows(set);
  rows.push(...setRows);
  if (learning(set.name)) used.push(`${set.name} (${set.oosProtocol})`);
  console.log(`${set.name}: ${setRows.length} questions over ${set.oosFolds.length} folds in ${Math.round(performance.now() - started)} ms`);
}

const pct = (x: number): string => x.toFixed(3);
console.log(`\nEach set under a decision learned without it (${HELD_OUT}: never learned from, so the shipped decision):\n`);
console.log('| set | accuracy, rejection off | accuracy | loss | OOS recall | OOS precision |');
console.log('|---|---|---|---|---|---|');
const heldOut: NonNullable<DecisionWeights['heldOut']> = {};
for (const { figures: f, decision } of leaveOneSetOut(rows, learning)) {
  console.log(`| ${f.set} | ${pct(f.accuracyNoReject)} | ${pct(f.accuracy)} | ${pct(f.accuracyNoReject - f.accuracy)} | ${pct(f.oosRecall)} | ${pct(f.oosPrecision)} |`);
  if (learning(f.set)) heldOut[f.set] = { model: decision.model, answerAt: decision.answerAt };
}

const decision = { ...fitDecision(rows.filter((r) => learning(r.set)), `${used.join('; ')}; ${new Date().toISOString().slice(0, 10)}`), heldOut };
const file = fileURLToPath(new URL('../nlu/decision-weights.json', import.meta.url));
writeFileSync(file, `${JSON.stringify(decision, null, 2)}\n`);
console.log(`\nweights (standardised features): ${FEATURE_NAMES.map((n, i) => `${n} ${decision.model.weights[i]!.toFixed(2)}`).join(', ')}`);
console.log(`answer threshold ${decision.answerAt}; written to ${file}`);
