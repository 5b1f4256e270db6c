/** The words of the login's second step, two-factor enrolment and password change, in Chinese and English. */
import { useI18n } from './i18n.ts';

const zh = {
  navSecurity: '账号安全',
  // Login, second step
  codeTitle: '两步验证',
  codeHint: '请输入身份验证器应用中显示的 6 位验证码，或一个恢复码。',
  code: '验证码或恢复码',
  verify: '验证',
  verifying: '正在验证…',
  wrongCode: (left: number) => `验证码错误或已使用过。还可尝试 ${left} 次。`,
  loginExpired: '登录已超时或尝试次数已用完，请重新输入密码。',
  codeThrottled: '验证码错误次数过多，请 15 分钟后再试。',
  back: '返回',
  // Enrolment
  securityTitle: '账号安全',
  required: '您的账号需要开启两步验证后才能使用控制台。',
  twoFactor: '两步验证（TOTP）',
  enabled: '已开启',
  notEnabled: '未开启',
  recoveryLeft: (n: number) => `剩余恢复码：${n} 个`,
  setUp: '设置两步验证',
  scan: '用身份验证器应用（如 Google Authenticator、Microsoft Authenticator、阿里云 App）扫描二维码，或手动输入密钥：',
  qrAlt: '两步验证二维码',
  secretLabel: '密钥',
  confirmCode: '应用中显示的 6 位验证码',
  confirm: '确认开启',
  wrongSetupCode: '验证码不正确，请输入应用当前显示的验证码。',
  recoveryTitle: '恢复码',
  recoveryHint: '请妥善保存以下恢复码（只显示这一次）。手机丢失时，每个恢复码可代替验证码登录一次。',
  savedCodes: '我已保存，继续',
  // Password change
  changePassword: '修改密码',
  currentPassword: '当前密码',
  newPassword: '新密码（至少 10 位，不能是常见密码）',
  repeatPassword: '再次输入新密码',
  mismatch: '两次输入的新密码不一致。',
  wrongCurrent: '当前密码不正确。',
  changed: '密码已修改，其他设备上的登录已退出。',
  save: '保存',
  failed: '操作失败：',
  // Administrators
  reset2fa: '重置两步验证',
  reset2faDone: (name: string) => `已重置 ${name} 的两步验证，其登录已退出。`,
};

type Strings = typeof zh;

const en: Strings = {
  navSecurity: 'Account security',
  codeTitle: 'Two-step verification',
  codeHint: 'Enter the 6-digit code your authenticator app shows, or a recovery code.',
  code: 'Code or recovery code',
  verify: 'Verify',
  verifying: 'Verifying…',
  wrongCode: (left: number) => `Wrong or already used code. ${left} attempt(s) left.`,
  loginExpired: 'The login timed out or used up its attempts; enter your password again.',
  codeThrottled: 'Too many wrong codes; please try again in 15 minutes.',
  back: 'Back',
  securityTitle: 'Account security',
  required: 'Your account needs two-step verification before you can use the console.',
  twoFactor: 'Two-step verification (TOTP)',
  enabled: 'On',
  notEnabled: 'Off',
  recoveryLeft: (n: number) => `Recovery codes left: ${n}`,
  setUp: 'Set up two-step verification',
  scan: 'Scan the QR code with an authenticator app (Google Authenticator, Microsoft Authenticator…), or type the key:',
  qrAlt: 'Two-step verification QR code',
  secretLabel: 'Key',
  confirmCode: '6-digit code from the app',
  confirm: 'Turn on',
  wrongSetupCode: 'Wrong code; enter the one the app shows now.',
  recoveryTitle: 'Recovery codes',
  recoveryHint: 'Keep these recovery codes safe (they are shown only once). If you lose your phone, each one logs you in once instead of a code.',
  savedCodes: 'I have saved them, continue',
  changePassword: 'Change password',
  currentPassword: 'Current password',
  newPassword: 'New password (at least 10 characters, not a common one)',
  repeatPassword: 'New password again',
  mismatch: 'The two new passwords differ.',
  wrongCurrent: 'The current password is wrong.',
  changed: 'Password changed; your logins elsewhere were ended.',
  save: 'Save',
  failed: 'Failed: ',
  reset2fa: 'Reset two-step verification',
  reset2faDone: (name: string) => `Two-step verification of ${name} reset; their logins were ended.`,
};

const STRINGS = { zh, en };

export const useSecurityStrings = (): Strings => STRINGS[useI18n().lang];
