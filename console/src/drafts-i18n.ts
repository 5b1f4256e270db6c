/** Words of the FAQ drafts page (assigned drafts, editing, submitting, publishing), Chinese and English. */
import { useI18n } from './i18n.ts';

const zh = {
  tabs: { open: '待完成', published: '已发布', rejected: '已驳回' } as Record<'open' | 'published' | 'rejected', string>,
  hint: '分配给本部门的 FAQ 草稿：补全答案后提交，由管理员发布；发布后机器人即可回答此类问题。',
  due: '截止',
  overdue: '已逾期',
  submitted: '已提交，待发布',
  inProgress: '编写中',
  noAnswer: '（尚未填写答案）',
  fromTopic: '来自需求主题',
  askedBy: (n: number) => `${n} 位市民提问`,
  edit: '编辑',
  save: '保存',
  saved: '已保存。',
  submit: '提交发布',
  submittedOk: '已提交，等待管理员发布。',
  title: '标题',
  department: '部门',
  questions: '问法（每行一个）',
  answer: '答案',
  dueDate: '截止日期',
  notify: '通知提问的市民（在其渠道发送答案；微信仅限 48 小时内有过消息的市民）',
  notified: (sent: number, skipped: number, failed: number) => `已通知 ${sent} 位市民，跳过 ${skipped} 位${failed ? `，发送失败 ${failed} 位` : ''}。`,
  cancel: '取消',
};

type Strings = typeof zh;

const en: Strings = {
  tabs: { open: 'To do', published: 'Published', rejected: 'Rejected' },
  hint: 'FAQ drafts assigned to your department: complete the answer and submit; an administrator publishes it and the bot then answers such questions.',
  due: 'Due',
  overdue: 'Overdue',
  submitted: 'Submitted, waiting to be published',
  inProgress: 'In progress',
  noAnswer: '(no answer yet)',
  fromTopic: 'From demand topic',
  askedBy: (n: number) => `asked by ${n} citizen(s)`,
  edit: 'Edit',
  save: 'Save',
  saved: 'Saved.',
  submit: 'Submit for publication',
  submittedOk: 'Submitted; an administrator publishes it.',
  title: 'Title',
  department: 'Department',
  questions: 'Questions (one per line)',
  answer: 'Answer',
  dueDate: 'Due date',
  notify: 'Tell the citizens who asked (the answer on their channel; WeChat only within 48 hours of their last message)',
  notified: (sent: number, skipped: number, failed: number) => `${sent} citizen(s) told, ${skipped} skipped${failed ? `, ${failed} failed` : ''}.`,
  cancel: 'Cancel',
};

export const DRAFT_STRINGS: Record<'zh' | 'en', Strings> = { zh, en };

export function useDraftStrings(): Strings {
  return DRAFT_STRINGS[useI18n().lang];
}
