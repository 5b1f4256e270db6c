/** The console's words in Chinese (default) and English; the choice is remembered in localStorage. */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { CaseState, Lang, Localized, Rating, Role } from './types.ts';

const zh = {
  appName: '回应 · 工作人员控制台',
  loading: '正在加载…',
  switchLang: 'English',
  switchLangLabel: 'Switch to English',
  // Login
  loginTitle: '工作人员登录',
  userName: '用户名',
  password: '密码',
  logIn: '登录',
  loggingIn: '正在登录…',
  wrongLogin: '用户名或密码错误。',
  throttled: '登录失败次数过多，请 15 分钟后再试。',
  networkError: '无法连接服务器，请检查网络后重试。',
  logOut: '退出登录',
  sessionEnded: '登录已过期，请重新登录。',
  // Navigation
  nav: '主菜单',
  navQueue: '咨询队列',
  navRatings: '服务评价',
  navDrafts: 'FAQ 草稿',
  navStaff: '人员管理',
  navAudit: '操作日志',
  liveOpen: '实时连接正常',
  liveConnecting: '正在连接…',
  liveDown: '实时连接已断开，正在重新连接…',
  // Queue
  queueTitle: '待处理咨询',
  queueHint: '按等待时间排序，最早的在最前',
  allQueues: '全部队列',
  myQueues: '我的队列',
  filterDepartment: '按部门筛选',
  emptyQueue: '暂无待处理的咨询。',
  waiting: '已等待',
  remaining: '剩余',
  breached: '已超时',
  responded: '已首次响应',
  assignedTo: '处理人',
  unassigned: '未认领',
  selectCase: '请从左侧队列选择一条咨询。',
  // Case
  caseLabel: '咨询',
  channel: '渠道',
  department: '部门',
  state: '状态',
  opened: '创建时间',
  due: '响应时限',
  trigger: '来源',
  question: '市民问题',
  understood: '机器人的理解（候选答案及得分）',
  noCandidates: '机器人未找到相关答案。',
  entry: '知识条目',
  score: '得分',
  transcript: '对话记录',
  citizen: '市民',
  bot: '机器人',
  staffSuffix: '（工作人员）',
  claim: '认领',
  claimed: '已认领，您现在可以回复市民。',
  claimConflict: '认领失败：该咨询已被其他工作人员认领。',
  heldBy: (name: string) => `该咨询由 ${name} 处理中。`,
  reply: '回复市民',
  replyPlaceholder: '输入回复内容，Ctrl+Enter 发送',
  send: '发送',
  sending: '正在发送…',
  undeliverable: (reason: string) => `消息未能送达市民：${reason}`,
  deliveryProblem: '送达问题',
  cannedReplies: '常用回复',
  chooseCanned: '选择常用回复插入…',
  kbSearch: '搜索知识库答案',
  kbSearchPlaceholder: '输入关键词',
  search: '搜索',
  insert: '插入',
  noResults: '没有找到相关答案。',
  notes: '内部备注',
  notesHint: '仅工作人员可见，市民看不到。',
  noNotes: '暂无备注。',
  addNote: '添加备注',
  notePlaceholder: '输入内部备注',
  transfer: '转交',
  transferTo: '转交至部门',
  transferNote: '转交说明',
  transferred: (dept: string) => `已转交至 ${dept}。`,
  resolve: '结束服务',
  resolveConfirm: '确认结束本次服务？市民将收到评价邀请。',
  resolved: '服务已结束，已邀请市民评价。',
  reassign: '改派',
  reassignTo: '改派给',
  chooseStaff: '选择工作人员…',
  reassigned: (name: string) => `已改派给 ${name}。`,
  cancel: '取消',
  confirm: '确认',
  // FAQ
  saveAsFaq: '保存为 FAQ',
  faqTitle: '保存为 FAQ 草稿',
  faqHint: '草稿由管理员审核后发布到知识库，机器人将学会回答此类问题。',
  faqEntryTitle: '标题',
  faqQuestions: '问法（每行一个）',
  faqAnswer: '答案',
  faqSave: '保存草稿',
  faqSaved: '已保存为 FAQ 草稿，等待管理员审核发布。',
  // Drafts
  draftsTitle: 'FAQ 草稿',
  draftStatus: { draft: '待审核', published: '已发布', rejected: '已驳回' } as Record<'draft' | 'published' | 'rejected', string>,
  noDrafts: '没有草稿。',
  publish: '发布',
  publishing: '正在发布并重新训练机器人，请稍候…',
  published: (id: string) => `已发布为知识条目 ${id}，机器人已更新。`,
  reject: '驳回',
  rejected: '已驳回。',
  createdAt: '创建于',
  // Ratings
  ratingsTitle: '服务评价（好差评）',
  noRatings: '暂无评价。',
  rating: '评价',
  comment: '意见',
  followUp: '跟进',
  followUpOpen: '待跟进',
  followUpClosed: '已跟进',
  closeFollowUp: '关闭跟进',
  resolvedAt: '结束时间',
  // Staff
  staffTitle: '人员管理',
  name: '用户名',
  displayName: '显示名称',
  role: '角色',
  departments: '部门',
  active: '状态',
  activeYes: '启用',
  activeNo: '已停用',
  actions: '操作',
  addStaff: '新建账号',
  create: '创建',
  created: (name: string) => `已创建账号 ${name}。`,
  edit: '编辑',
  save: '保存',
  saved: '已保存。',
  deactivate: '停用',
  activate: '启用',
  resetPassword: '重置密码',
  newPassword: '新密码（至少 10 位）',
  passwordReset: (name: string) => `已重置 ${name} 的密码。`,
  unlockLogin: '解除登录限制',
  loginUnlocked: (name: string) => `已解除 ${name} 的登录限制。`,
  // Audit
  auditTitle: '操作日志',
  time: '时间',
  who: '操作人',
  action: '操作',
  target: '对象',
  detail: '详情',
  refresh: '刷新',
  failed: (message: string) => `操作失败：${message}`,
};

type Strings = typeof zh;

const en: Strings = {
  appName: 'Huiying · Staff console',
  loading: 'Loading…',
  switchLang: '中文',
  switchLangLabel: '切换到中文',
  loginTitle: 'Staff login',
  userName: 'User name',
  password: 'Password',
  logIn: 'Log in',
  loggingIn: 'Logging in…',
  wrongLogin: 'Wrong user name or password.',
  throttled: 'Too many failed logins; please try again in 15 minutes.',
  networkError: 'Cannot reach the server; check the network and try again.',
  logOut: 'Log out',
  sessionEnded: 'Your session has ended; please log in again.',
  nav: 'Main menu',
  navQueue: 'Queue',
  navRatings: 'Ratings',
  navDrafts: 'FAQ drafts',
  navStaff: 'Staff',
  navAudit: 'Audit log',
  liveOpen: 'Live',
  liveConnecting: 'Connecting…',
  liveDown: 'Live connection lost; reconnecting…',
  queueTitle: 'Open cases',
  queueHint: 'Oldest first',
  allQueues: 'All queues',
  myQueues: 'My queues',
  filterDepartment: 'Filter by department',
  emptyQueue: 'No cases waiting.',
  waiting: 'Waiting',
  remaining: 'Left',
  breached: 'Overdue',
  responded: 'Answered',
  assignedTo: 'Handled by',
  unassigned: 'Unclaimed',
  selectCase: 'Choose a case from the queue.',
  caseLabel: 'Case',
  channel: 'Channel',
  department: 'Department',
  state: 'State',
  opened: 'Opened',
  due: 'Reply due',
  trigger: 'Started by',
  question: 'Citizen’s question',
  understood: 'What the bot understood (candidates and scores)',
  noCandidates: 'The bot found no related answer.',
  entry: 'Entry',
  score: 'Score',
  transcript: 'Conversation',
  citizen: 'Citizen',
  bot: 'Bot',
  staffSuffix: ' (staff)',
  claim: 'Claim',
  claimed: 'Claimed; you can now reply to the citizen.',
  claimConflict: 'Could not claim: another member of staff has already claimed this case.',
  heldBy: (name: string) => `${name} is handling this case.`,
  reply: 'Reply to the citizen',
  replyPlaceholder: 'Type your reply; Ctrl+Enter sends',
  send: 'Send',
  sending: 'Sending…',
  undeliverable: (reason: string) => `The message did not reach the citizen: ${reason}`,
  deliveryProblem: 'Delivery problem',
  cannedReplies: 'Canned replies',
  chooseCanned: 'Insert a canned reply…',
  kbSearch: 'Search knowledge-base answers',
  kbSearchPlaceholder: 'Keywords',
  search: 'Search',
  insert: 'Insert',
  noResults: 'No matching answers.',
  notes: 'Internal notes',
  notesHint: 'Only staff see these; never the citizen.',
  noNotes: 'No notes yet.',
  addNote: 'Add note',
  notePlaceholder: 'Internal note',
  transfer: 'Transfer',
  transferTo: 'Transfer to department',
  transferNote: 'Note for the department',
  transferred: (dept: string) => `Transferred to ${dept}.`,
  resolve: 'Resolve',
  resolveConfirm: 'Close this case? The citizen will be asked for a rating.',
  resolved: 'Case resolved; the citizen was asked for a rating.',
  reassign: 'Reassign',
  reassignTo: 'Reassign to',
  chooseStaff: 'Choose a member of staff…',
  reassigned: (name: string) => `Reassigned to ${name}.`,
  cancel: 'Cancel',
  confirm: 'Confirm',
  saveAsFaq: 'Save as FAQ',
  faqTitle: 'Save as an FAQ draft',
  faqHint: 'An administrator reviews and publishes the draft; the bot then learns to answer such questions.',
  faqEntryTitle: 'Title',
  faqQuestions: 'Questions (one per line)',
  faqAnswer: 'Answer',
  faqSave: 'Save draft',
  faqSaved: 'Saved as an FAQ draft for an administrator to review.',
  draftsTitle: 'FAQ drafts',
  draftStatus: { draft: 'To review', published: 'Published', rejected: 'Rejected' },
  noDrafts: 'No drafts.',
  publish: 'Publish',
  publishing: 'Publishing and retraining the bot; please wait…',
  published: (id: string) => `Published as entry ${id}; the bot has been updated.`,
  reject: 'Reject',
  rejected: 'Rejected.',
  createdAt: 'Created',
  ratingsTitle: 'Ratings',
  noRatings: 'No ratings yet.',
  rating: 'Rating',
  comment: 'Comment',
  followUp: 'Follow-up',
  followUpOpen: 'Open',
  followUpClosed: 'Closed',
  closeFollowUp: 'Close follow-up',
  resolvedAt: 'Resolved',
  staffTitle: 'Staff accounts',
  name: 'User name',
  displayName: 'Display name',
  role: 'Role',
  departments: 'Departments',
  active: 'Status',
  activeYes: 'Active',
  activeNo: 'Deactivated',
  actions: 'Actions',
  addStaff: 'New account',
  create: 'Create',
  created: (name: string) => `Account ${name} created.`,
  edit: 'Edit',
  save: 'Save',
  saved: 'Saved.',
  deactivate: 'Deactivate',
  activate: 'Activate',
  resetPassword: 'Reset password',
  newPassword: 'New password (at least 10 characters)',
  passwordReset: (name: string) => `Password of ${name} reset.`,
  unlockLogin: 'Unlock login',
  loginUnlocked: (name: string) => `Login limits of ${name} cleared.`,
  auditTitle: 'Audit log',
  time: 'Time',
  who: 'Staff',
  action: 'Action',
  target: 'Target',
  detail: 'Detail',
  refresh: 'Refresh',
  failed: (message: string) => `Failed: ${message}`,
};

export const STRINGS: Record<Lang, Strings> = { zh, en };

export const STATE_LABELS: Record<Lang, Record<CaseState, string>> = {
  zh: { pending: '待认领', assigned: '处理中', transferred: '已转交', expired: '已超时未回复', resolved: '已结束' },
  en: { pending: 'Waiting', assigned: 'In progress', transferred: 'Transferred', expired: 'Expired', resolved: 'Resolved' },
};

export const ROLE_LABELS: Record<Lang, Record<Role, string>> = {
  zh: { agent: '坐席', supervisor: '主管', admin: '管理员' },
  en: { agent: 'Agent', supervisor: 'Supervisor', admin: 'Administrator' },
};

export const RATING_LABELS: Record<Lang, Record<Rating, string>> = {
  zh: { satisfied: '满意', basically_satisfied: '基本满意', dissatisfied: '不满意' },
  en: { satisfied: 'Satisfied', basically_satisfied: 'Basically satisfied', dissatisfied: 'Dissatisfied' },
};

export const TRIGGER_LABELS: Record<Lang, Record<string, string>> = {
  zh: { asked_for_human: '市民要求转人工', repeated_misses: '机器人多次未能回答', staff_opened: '工作人员发起' },
  en: { asked_for_human: 'Citizen asked for a person', repeated_misses: 'The bot missed repeatedly', staff_opened: 'Opened by staff' },
};

export const OUTCOME_LABELS: Record<Lang, Record<string, string>> = {
  zh: { answered: '已回答', clarify: '追问', unanswered: '未能回答', escalated: '转人工', staff: '人工处理', smalltalk: '寒暄' },
  en: { answered: 'answered', clarify: 'clarifying', unanswered: 'not answered', escalated: 'escalated', staff: 'with staff', smalltalk: 'small talk' },
};

export const CHANNEL_LABELS: Record<Lang, Record<string, string>> = {
  zh: { api: 'API 接口', web: '网页', wechat: '微信公众号', wechaty: '微信', telegram: 'Telegram', botframework: 'Teams / Bot Framework' },
  en: { api: 'API', web: 'Web', wechat: 'WeChat Official Account', wechaty: 'WeChat', telegram: 'Telegram', botframework: 'Teams / Bot Framework' },
};

export const AUDIT_LABELS: Record<Lang, Record<string, string>> = {
  zh: {
    login: '登录',
    view: '查看',
    claim: '认领',
    reply: '回复',
    note: '备注',
    transfer: '转交',
    reassign: '改派',
    resolve: '结束服务',
    close_follow_up: '关闭跟进',
    faq_draft: '保存 FAQ 草稿',
    faq_draft_edit: '修改 FAQ 草稿',
    faq_draft_submit: '提交 FAQ 草稿',
    faq_draft_reject: '驳回 FAQ 草稿',
    publish: '发布 FAQ',
    faq_notify: '通知提问市民',
    staff_add: '新建账号',
    staff_update: '修改账号',
    login_failed: '登录失败',
    login_unlock: '解除登录限制',
  },
  en: {},
};

/** The text of a two-language value in the chosen language, else the other one. */
export function pick(value: Localized | undefined, lang: Lang): string {
  if (!value) return '';
  return value[lang] ?? value[lang === 'zh' ? 'en' : 'zh'] ?? '';
}

const KEY = 'huiying.console.lang';

export function storedLang(): Lang {
  try {
    return localStorage.getItem(KEY) === 'en' ? 'en' : 'zh';
  } catch {
    return 'zh';
  }
}

export function rememberLang(lang: Lang): void {
  try {
    localStorage.setItem(KEY, lang);
  } catch {
    // Storage is off: the choice lasts for this page.
  }
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
}

export interface I18n {
  lang: Lang;
  t: Strings;
}

export const I18nContext = createContext<I18n>({ lang: 'zh', t: zh });

export const useI18n = (): I18n => useContext(I18nContext);
