/** The k best (id, score) pairs of a stream, in a fixed-size min-heap; ties go to the smaller id. */
export class TopK {
  private readonly keptIds: Int32Array;
  private readonly scores: Float64Array;
  private size = 0;

  constructor(readonly k: number) {
    this.keptIds = new Int32Array(Math.max(k, 0));
    this.scores = new Float64Array(Math.max(k, 0));
  }

  /** Offers a pair; it is kept if it beats the worst of the k kept so far. */
  offer(id: number, score: number): void {
    if (this.k <= 0) return;
    if (this.size < this.k) {
      let i = this.size++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!this.worse(id, score, this.keptIds[parent]!, this.scores[parent]!)) break;
        this.keptIds[i] = this.keptIds[parent]!;
        this.scores[i] = this.scores[parent]!;
        i = parent;
      }
      this.keptIds[i] = id;
      this.scores[i] = score;
      return;
    }
    if (!this.worse(this.keptIds[0]!, this.scores[0]!, id, score)) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= this.size) break;
      const right = left + 1;
      const child = right < this.size && this.worse(this.keptIds[right]!, this.scores[right]!, this.keptIds[left]!, this.scores[left]!) ? right : left;
      if (!this.worse(this.keptIds[child]!, this.scores[child]!, id, score)) break;
      this.keptIds[i] = this.keptIds[child]!;
      this.scores[i] = this.scores[child]!;
      i = child;
    }
    this.keptIds[i] = id;
    this.scores[i] = score;
  }

  /** The kept ids, in no order (a copy). */
  ids(): Int32Array {
    return this.keptIds.slice(0, this.size);
  }

  /** The kept pairs, best first. */
  sorted(): Array<{ id: number; score: number }> {
    const out: Array<{ id: number; score: number }> = [];
    for (let i = 0; i < this.size; i++) out.push({ id: this.keptIds[i]!, score: this.scores[i]! });
    return out.sort((a, b) => b.score - a.score || a.id - b.id);
  }

  private worse(idA: number, scoreA: number, idB: number, scoreB: number): boolean {
    return scoreA < scoreB || (scoreA === scoreB && idA > idB);
  }
}
