/** Clustering quality against labels: purity, coverage and normalised mutual information. */

/** Scores of one grouping. */
export interface GroupingScores {
  /** Share of placed messages whose topic's majority label is theirs (an unlabelled message never counts as right). */
  purity: number;
  /** Share of all messages placed in a topic of at least `minSize`. */
  coverage: number;
  /** NMI of topics against labels; unplaced and unlabelled messages count as singletons. */
  nmi: number;
  /** Share of unlabelled (noise) messages left out of every topic. */
  noiseLeftOut: number;
}

/** Scores `assignment` (topic per message, null = left out) against `labels` (null = one-off noise). */
export function scoreGrouping(assignment: ReadonlyArray<string | null>, labels: ReadonlyArray<string | null>, minSize = 3): GroupingScores {
  const n = labels.length;
  const sizes = new Map<string, number>();
  for (const a of assignment) if (a !== null) sizes.set(a, (sizes.get(a) ?? 0) + 1);
  const placed = assignment.map((a) => (a !== null && (sizes.get(a) ?? 0) >= minSize ? a : null));
  const byTopic = new Map<string, Map<string, number>>();
  let placedCount = 0;
  placed.forEach((a, i) => {
    if (a === null) return;
    placedCount++;
    const label = labels[i];
    if (label === null || label === undefined) return;
    const m = byTopic.get(a) ?? new Map<string, number>();
    m.set(label, (m.get(label) ?? 0) + 1);
    byTopic.set(a, m);
  });
  let right = 0;
  for (const m of byTopic.values()) right += Math.max(0, ...m.values());
  const noise = labels.filter((l) => l === null).length;
  const noiseOut = labels.filter((l, i) => l === null && placed[i] === null).length;
  const clusterIds = placed.map((a, i) => a ?? `#single-${i}`);
  const labelIds = labels.map((l, i) => l ?? `#noise-${i}`);
  return {
    purity: placedCount ? right / placedCount : 0,
    coverage: n ? placedCount / n : 0,
    nmi: normalizedMutualInformation(clusterIds, labelIds),
    noiseLeftOut: noise ? noiseOut / noise : 1,
  };
}

/** NMI with the arithmetic-mean normalisation (as scikit-learn's default). */
export function normalizedMutualInformation(a: readonly string[], b: readonly string[]): number {
  const n = a.length;
  if (n === 0) return 0;
  const ca = new Map<string, number>();
  const cb = new Map<string, number>();
  const joint = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    ca.set(a[i]!, (ca.get(a[i]!) ?? 0) + 1);
    cb.set(b[i]!, (cb.get(b[i]!) ?? 0) + 1);
    const k = `${a[i]}\u0000${b[i]}`;
    joint.set(k, (joint.get(k) ?? 0) + 1);
  }
  const entropy = (m: Map<string, number>): number => [...m.values()].reduce((h, c) => h - (c / n) * Math.log(c / n), 0);
  let mi = 0;
  for (const [k, c] of joint) {
    const [x, y] = k.split('\u0000') as [string, string];
    mi += (c / n) * Math.log((c * n) / (ca.get(x)! * cb.get(y)!));
  }
  const ha = entropy(ca);
  const hb = entropy(cb);
  const denom = (ha + hb) / 2;
  return denom > 0 ? mi / denom : 1;
}
