/** Helpers for writing a reply: canned replies and knowledge-base answers found by search. */
import { useEffect, useState } from 'preact/hooks';
import { api, qs } from './api.ts';
import { pick, useI18n } from './i18n.ts';
import type { CannedReply, KbEntry } from './types.ts';

export function CannedReplies(props: { onInsert: (text: string) => void }) {
  const { lang, t } = useI18n();
  const [replies, setReplies] = useState<CannedReply[]>([]);
  useEffect(() => {
    api
      .get<{ replies: CannedReply[] }>('/api/v1/canned-replies')
      .then((r) => setReplies(r.replies))
      .catch(() => undefined);
  }, []);
  if (replies.length === 0) return null;
  return (
    <label class="canned">
      <span class="sr-only">{t.cannedReplies}</span>
      <select
        value=""
        onChange={(e) => {
          const reply = replies[Number(e.currentTarget.value)];
          if (reply) props.onInsert(pick(reply.text, lang));
          e.currentTarget.value = '';
        }}
      >
        <option value="">{t.chooseCanned}</option>
        {replies.map((r, i) => (
          <option key={i} value={String(i)}>
            {r.title}
          </option>
        ))}
      </select>
    </label>
  );
}

export function KbSearch(props: { onInsert: (text: string) => void; deptName: (id: string) => string }) {
  const { lang, t } = useI18n();
  const [query, setQuery] = useState('');
  const [entries, setEntries] = useState<KbEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const search = async (event: Event) => {
    event.preventDefault();
    if (!query.trim()) return;
    try {
      const r = await api.get<{ entries: KbEntry[] }>(`/api/v1/kb/search${qs({ q: query.trim() })}`);
      setEntries(r.entries);
      setError(null);
    } catch (err) {
      setError(t.failed((err as Error).message));
    }
  };

  return (
    <section class="kb-search" aria-labelledby="kb-title">
      <h3 id="kb-title">{t.kbSearch}</h3>
      <form role="search" onSubmit={search}>
        <input type="search" aria-label={t.kbSearch} placeholder={t.kbSearchPlaceholder} value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
        <button type="submit">{t.search}</button>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {entries && entries.length === 0 && <p class="placeholder">{t.noResults}</p>}
      {entries && entries.length > 0 && (
        <ul class="kb-results" aria-live="polite">
          {entries.map((entry) => {
            const answer = pick(entry.answer, lang);
            return (
              <li key={entry.id}>
                <div class="kb-title">
                  <strong>{pick(entry.title, lang)}</strong> <span class="muted">{props.deptName(entry.department)}</span>
                </div>
                <p class="kb-answer">{answer.length > 160 ? `${answer.slice(0, 160)}…` : answer}</p>
                <button type="button" aria-label={`${t.insert}: ${pick(entry.title, lang)}`} onClick={() => props.onInsert(answer)}>
                  {t.insert}
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
