/** Administrators: staff accounts (create, change role and departments, deactivate, reset passwords, unlock logins). */
import { useEffect, useState } from 'preact/hooks';
import { api, reasonOf } from './api.ts';
import { DepartmentsPanel } from './departments-panel.tsx';
import { ROLE_LABELS, useI18n } from './i18n.ts';
import { useSecurityStrings } from './security-i18n.ts';
import type { Department, Role, Staff } from './types.ts';

type Flash = { kind: 'ok' | 'error'; text: string } | null;
const ROLES: Role[] = ['agent', 'supervisor', 'admin'];

/** Role, display name and department checkboxes, shared by the create and edit forms. */
function AccountFields(props: {
  idPrefix: string;
  displayName: string;
  role: Role;
  departments: string[];
  all: Department[];
  deptName: (id: string) => string;
  onChange: (patch: { displayName?: string; role?: Role; departments?: string[] }) => void;
}) {
  const { lang, t } = useI18n();
  const p = props.idPrefix;
  return (
    <>
      <label for={`${p}-display`}>{t.displayName}</label>
      <input id={`${p}-display`} required maxLength={64} value={props.displayName} onInput={(e) => props.onChange({ displayName: e.currentTarget.value })} />
      <label for={`${p}-role`}>{t.role}</label>
      <select id={`${p}-role`} value={props.role} onChange={(e) => props.onChange({ role: e.currentTarget.value as Role })}>
        {ROLES.map((r) => (
          <option key={r} value={r}>
            {ROLE_LABELS[lang][r]}
          </option>
        ))}
      </select>
      <fieldset class="departments">
        <legend>{t.departments}</legend>
        {props.all.map((d) => (
          <label key={d.id} class="check">
            <input
              type="checkbox"
              checked={props.departments.includes(d.id)}
              onChange={(e) =>
                props.onChange({ departments: e.currentTarget.checked ? [...props.departments, d.id] : props.departments.filter((x) => x !== d.id) })
              }
            />
            {props.deptName(d.id)}
          </label>
        ))}
      </fieldset>
    </>
  );
}

function CreateForm(props: { departments: Department[]; deptName: (id: string) => string; onCreated: (s: Staff) => void; setFlash: (f: Flash) => void }) {
  const { lang, t } = useI18n();
  const empty = { name: '', displayName: '', role: 'agent' as Role, departments: [] as string[], password: '' };
  const [form, setForm] = useState(empty);
  const submit = async (event: Event) => {
    event.preventDefault();
    try {
      const r = await api.post<{ staff: Staff }>('/api/v1/staff', { ...form, name: form.name.trim(), displayName: form.displayName.trim() });
      props.onCreated(r.staff);
      props.setFlash({ kind: 'ok', text: t.created(r.staff.name) });
      setForm(empty);
    } catch (err) {
      props.setFlash({ kind: 'error', text: t.failed(reasonOf(err, lang)) });
    }
  };
  return (
    <form class="panel staff-form" onSubmit={submit} aria-labelledby="new-staff-title">
      <h3 id="new-staff-title">{t.addStaff}</h3>
      <label for="new-name">{t.name}</label>
      <input id="new-name" required autocomplete="off" value={form.name} onInput={(e) => setForm({ ...form, name: e.currentTarget.value })} />
      <AccountFields idPrefix="new" {...form} all={props.departments} deptName={props.deptName} onChange={(patch) => setForm({ ...form, ...patch })} />
      <label for="new-password">{t.newPassword}</label>
      <input
        id="new-password"
        type="password"
        autocomplete="new-password"
        required
        minLength={10}
        value={form.password}
        onInput={(e) => setForm({ ...form, password: e.currentTarget.value })}
      />
      <button type="submit" class="primary">
        {t.create}
      </button>
    </form>
  );
}

function StaffRow(props: { s: Staff; departments: Department[]; deptName: (id: string) => string; onSaved: (s: Staff) => void; setFlash: (f: Flash) => void }) {
  const { lang, t } = useI18n();
  const security = useSecurityStrings();
  const { s } = props;
  const [mode, setMode] = useState<'view' | 'edit' | 'password'>('view');
  const [edit, setEdit] = useState({ displayName: s.displayName, role: s.role, departments: s.departments });
  const [password, setPassword] = useState('');

  const patch = async (body: Record<string, unknown>, text: string) => {
    try {
      const r = await api.patch<{ staff: Staff }>(`/api/v1/staff/${s.id}`, body);
      props.onSaved(r.staff);
      props.setFlash({ kind: 'ok', text });
      setMode('view');
      setPassword('');
    } catch (err) {
      props.setFlash({ kind: 'error', text: t.failed(reasonOf(err, lang)) });
    }
  };

  const resetSecondFactor = async () => {
    try {
      await api.post(`/api/v1/staff/${s.id}/2fa/reset`);
      props.setFlash({ kind: 'ok', text: security.reset2faDone(s.name) });
    } catch (err) {
      props.setFlash({ kind: 'error', text: t.failed(reasonOf(err, lang)) });
    }
  };

  const unlock = async () => {
    try {
      await api.post(`/api/v1/staff/${s.id}/unlock`);
      props.setFlash({ kind: 'ok', text: t.loginUnlocked(s.name) });
    } catch (err) {
      props.setFlash({ kind: 'error', text: t.failed((err as Error).message) });
    }
  };

  return (
    <tr data-staff={s.name}>
      <td>{s.name}</td>
      <td>{s.displayName}</td>
      <td>{ROLE_LABELS[lang][s.role]}</td>
      <td>{s.departments.map(props.deptName).join('、') || '—'}</td>
      <td>{s.active ? t.activeYes : <span class="breached">{t.activeNo}</span>}</td>
      <td class="row-actions">
        {mode === 'view' && (
          <>
            <button type="button" onClick={() => setMode('edit')} aria-label={`${t.edit} ${s.name}`}>
              {t.edit}
            </button>
            <button type="button" onClick={() => setMode('password')} aria-label={`${t.resetPassword} ${s.name}`}>
              {t.resetPassword}
            </button>
            <button type="button" onClick={() => patch({ active: !s.active }, t.saved)} aria-label={`${s.active ? t.deactivate : t.activate} ${s.name}`}>
              {s.active ? t.deactivate : t.activate}
            </button>
            <button type="button" onClick={resetSecondFactor} aria-label={`${security.reset2fa} ${s.name}`}>
              {security.reset2fa}
            </button>
            <button type="button" onClick={() => void unlock()} aria-label={`${t.unlockLogin} ${s.name}`}>
              {t.unlockLogin}
            </button>
          </>
        )}
        {mode === 'edit' && (
          <form
            class="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              void patch({ ...edit, displayName: edit.displayName.trim() }, t.saved);
            }}
          >
            <AccountFields idPrefix={`edit-${s.id}`} {...edit} all={props.departments} deptName={props.deptName} onChange={(p) => setEdit({ ...edit, ...p })} />
            <button type="submit" class="primary">
              {t.save}
            </button>
            <button type="button" onClick={() => setMode('view')}>
              {t.cancel}
            </button>
          </form>
        )}
        {mode === 'password' && (
          <form
            class="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              void patch({ password }, t.passwordReset(s.name));
            }}
          >
            <label for={`pw-${s.id}`}>{t.newPassword}</label>
            <input id={`pw-${s.id}`} type="password" autocomplete="new-password" required minLength={10} value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
            <button type="submit" class="primary">
              {t.save}
            </button>
            <button type="button" onClick={() => setMode('view')}>
              {t.cancel}
            </button>
          </form>
        )}
      </td>
    </tr>
  );
}

export function StaffView(props: {
  departments: Department[];
  deptName: (id: string) => string;
  onChanged: (staff: Staff[]) => void;
  onDepartments: (departments: Department[]) => void;
}) {
  const { t } = useI18n();
  const [staff, setStaff] = useState<Staff[]>([]);
  const [flash, setFlash] = useState<Flash>(null);

  const update = (next: Staff[]) => {
    setStaff(next);
    props.onChanged(next);
  };
  useEffect(() => {
    api
      .get<{ staff: Staff[] }>('/api/v1/staff')
      .then((r) => setStaff(r.staff))
      .catch((err: Error) => setFlash({ kind: 'error', text: t.failed(err.message) }));
  }, []);

  return (
    <main class="page" aria-labelledby="staff-title">
      <div class="page-head">
        <h2 id="staff-title">{t.staffTitle}</h2>
      </div>
      {flash && (
        <p class={flash.kind === 'error' ? 'error' : 'ok'} role={flash.kind === 'error' ? 'alert' : 'status'}>
          {flash.text}
        </p>
      )}
      <table class="grid">
        <thead>
          <tr>
            <th scope="col">{t.name}</th>
            <th scope="col">{t.displayName}</th>
            <th scope="col">{t.role}</th>
            <th scope="col">{t.departments}</th>
            <th scope="col">{t.active}</th>
            <th scope="col">{t.actions}</th>
          </tr>
        </thead>
        <tbody>
          {staff.map((s) => (
            <StaffRow
              key={s.id}
              s={s}
              departments={props.departments}
              deptName={props.deptName}
              setFlash={setFlash}
              onSaved={(saved) => update(staff.map((x) => (x.id === saved.id ? saved : x)))}
            />
          ))}
        </tbody>
      </table>
      <CreateForm departments={props.departments} deptName={props.deptName} setFlash={setFlash} onCreated={(s) => update([...staff, s])} />
      <DepartmentsPanel departments={props.departments} onChanged={props.onDepartments} />
    </main>
  );
}
