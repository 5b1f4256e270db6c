/** Administrators: add a department (a new queue) or rename one; the change is written to the knowledge base's departments.yaml. */
import { useState } from 'preact/hooks';
import { api } from './api.ts';
import { pick, useI18n } from './i18n.ts';
import type { Department } from './types.ts';

const TEXT = {
  zh: {
    title: '部门管理',
    id: '部门代码（小写字母、数字、连字符）',
    zh: '中文名称',
    en: '英文名称',
    add: '添加部门',
    rename: '保存名称',
    added: '已添加部门。',
    renamed: '已保存。',
    failed: '操作失败：',
  },
  en: {
    title: 'Departments',
    id: 'Code (lowercase letters, digits, dashes)',
    zh: 'Chinese name',
    en: 'English name',
    add: 'Add department',
    rename: 'Save name',
    added: 'Department added.',
    renamed: 'Saved.',
    failed: 'Failed: ',
  },
} as const;

function RenameRow(props: { department: Department; onSaved: (all: Department[]) => void; say: (text: string, ok: boolean) => void }) {
  const { lang } = useI18n();
  const text = TEXT[lang];
  const [zh, setZh] = useState(props.department.name.zh ?? '');
  const [en, setEn] = useState(props.department.name.en ?? '');
  const save = async (event: Event) => {
    event.preventDefault();
    try {
      const r = await api.patch<{ departments: Department[] }>(`/api/v1/departments/${props.department.id}`, { name: { ...(zh.trim() ? { zh: zh.trim() } : {}), ...(en.trim() ? { en: en.trim() } : {}) } });
      props.onSaved(r.departments);
      props.say(text.renamed, true);
    } catch (err) {
      props.say(text.failed + (err as Error).message, false);
    }
  };
  return (
    <tr>
      <td>{props.department.id}</td>
      <td colSpan={2}>
        <form class="inline" onSubmit={save}>
          <input aria-label={`${props.department.id} ${text.zh}`} value={zh} maxLength={80} onInput={(e) => setZh(e.currentTarget.value)} />
          <input aria-label={`${props.department.id} ${text.en}`} value={en} maxLength={80} onInput={(e) => setEn(e.currentTarget.value)} />
          <button type="submit">{text.rename}</button>
        </form>
      </td>
    </tr>
  );
}

export function DepartmentsPanel(props: { departments: Department[]; onChanged: (all: Department[]) => void }) {
  const { lang } = useI18n();
  const text = TEXT[lang];
  const [flash, setFlash] = useState<{ text: string; ok: boolean } | null>(null);
  const [form, setForm] = useState({ id: '', zh: '', en: '' });
  const say = (message: string, ok: boolean) => setFlash({ text: message, ok });
  const add = async (event: Event) => {
    event.preventDefault();
    try {
      const name = { ...(form.zh.trim() ? { zh: form.zh.trim() } : {}), ...(form.en.trim() ? { en: form.en.trim() } : {}) };
      const r = await api.post<{ departments: Department[] }>('/api/v1/departments', { id: form.id.trim(), name });
      props.onChanged(r.departments);
      setForm({ id: '', zh: '', en: '' });
      say(text.added, true);
    } catch (err) {
      say(text.failed + (err as Error).message, false);
    }
  };
  return (
    <section aria-labelledby="departments-title">
      <h3 id="departments-title">{text.title}</h3>
      {flash && (
        <p class={flash.ok ? 'ok' : 'error'} role={flash.ok ? 'status' : 'alert'}>
          {flash.text}
        </p>
      )}
      <table class="grid">
        <tbody>
          {props.departments
            .filter((d) => d.id !== 'general')
            .map((d) => (
              <RenameRow key={`${d.id}:${pick(d.name, lang)}`} department={d} onSaved={props.onChanged} say={say} />
            ))}
        </tbody>
      </table>
      <form class="inline" onSubmit={add}>
        <label for="dept-id">{text.id}</label>
        <input id="dept-id" required pattern="[a-z0-9][a-z0-9-]{1,40}" value={form.id} onInput={(e) => setForm({ ...form, id: e.currentTarget.value })} />
        <label for="dept-zh">{text.zh}</label>
        <input id="dept-zh" maxLength={80} value={form.zh} onInput={(e) => setForm({ ...form, zh: e.currentTarget.value })} />
        <label for="dept-en">{text.en}</label>
        <input id="dept-en" maxLength={80} value={form.en} onInput={(e) => setForm({ ...form, en: e.currentTarget.value })} />
        <button type="submit">{text.add}</button>
      </form>
    </section>
  );
}
