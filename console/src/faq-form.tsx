/** "Save as FAQ": the citizen's question and the staff reply become a draft entry for an administrator to publish. */
import { useState } from 'preact/hooks';
import { api } from './api.ts';
import { useI18n } from './i18n.ts';
import type { Department } from './types.ts';

export function FaqForm(props: {
  escalationId: number;
  department: string;
  question: string;
  answer: string;
  departments: Department[];
  deptName: (id: string) => string;
  onDone: (message: string) => void;
  onCancel: () => void;
}) {
  const { lang, t } = useI18n();
  const [department, setDepartment] = useState(props.department);
  const [title, setTitle] = useState(props.question.slice(0, 60));
  const [questions, setQuestions] = useState(props.question);
  const [answer, setAnswer] = useState(props.answer);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const save = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    try {
      await api.post('/api/v1/faq-drafts', {
        escalationId: props.escalationId,
        department,
        lang,
        title: title.trim(),
        questions: questions
          .split('\n')
          .map((q) => q.trim())
          .filter(Boolean),
        answer: answer.trim(),
      });
      props.onDone(t.faqSaved);
    } catch (err) {
      setError(t.failed((err as Error).message));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="faq-form panel" onSubmit={save} aria-labelledby="faq-title">
      <h3 id="faq-title">{t.faqTitle}</h3>
      <p class="hint">{t.faqHint}</p>
      <label for="faq-department">{t.department}</label>
      <select id="faq-department" value={department} onChange={(e) => setDepartment(e.currentTarget.value)}>
        {props.departments.map((d) => (
          <option key={d.id} value={d.id}>
            {props.deptName(d.id)}
          </option>
        ))}
      </select>
      <label for="faq-entry-title">{t.faqEntryTitle}</label>
      <input id="faq-entry-title" required maxLength={200} value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
      <label for="faq-questions">{t.faqQuestions}</label>
      <textarea id="faq-questions" required rows={3} value={questions} onInput={(e) => setQuestions(e.currentTarget.value)} />
      <label for="faq-answer">{t.faqAnswer}</label>
      <textarea id="faq-answer" required rows={5} value={answer} onInput={(e) => setAnswer(e.currentTarget.value)} />
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="buttons">
        <button type="submit" class="primary" disabled={busy}>
          {t.faqSave}
        </button>
        <button type="button" onClick={props.onCancel}>
          {t.cancel}
        </button>
      </div>
    </form>
  );
}
