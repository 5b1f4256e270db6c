/** `huiying kb lint`: validates the knowledge base and warns about thin or overdue content. */
import { loadKnowledgeBase } from '../knowledge/knowledge-loader.ts';

export function lintKnowledge(dir: string, today = new Date()): { ok: boolean; lines: string[] } {
  const kb = loadKnowledgeBase(dir);
  const lines: string[] = [];
  const date = today.toISOString().slice(0, 10);
  for (const e of kb.entries) {
    const zh = e.questions.zh?.length ?? 0;
    if (zh > 0 && zh < 6) lines.push(`${e.file}: entry "${e.id}": warning: only ${zh} Chinese question variants (6 or more match better)`);
    if (e.questions.en && !e.answer.en) lines.push(`${e.file}: entry "${e.id}": warning: English questions but no English answer`);
    if (e.reviewBy && e.reviewBy < date) lines.push(`${e.file}: entry "${e.id}": warning: reviewBy ${e.reviewBy} has passed`);
  }
  const departments = new Set(kb.entries.map((e) => e.department)).size;
  lines.push(`${kb.entries.length} entries in ${departments} departments: OK`);
  return { ok: true, lines };
}
