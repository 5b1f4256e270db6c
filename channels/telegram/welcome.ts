/** The greeting for /start and /help, in the language the citizen's Telegram app is set to. */

const WELCOME = {
  zh: [
    '您好！我是政务服务智能助手“回应”。',
    '请直接用文字提问，例如“居住证怎么办理”“社保卡丢了怎么补办”，我会从办事指南中为您查找答案和所需材料。',
    '有几个可能的答案时，我会列出选项，点按钮即可选择。',
    '需要人工服务时，请发送“转人工”。',
  ],
  en: [
    'Hello! I am Huiying, an assistant for public services.',
    'Ask your question in your own words, for example "How do I apply for a residence permit?", and I will look up the answer and the documents you need in the service guides.',
    'When several answers may fit, I list them as buttons to tap.',
    'To talk to a person, send "human".',
  ],
};

/** Chinese for zh* language codes and when Telegram sends none; English for every other language. */
export function welcomeText(languageCode: string | undefined): string {
  const lang = !languageCode || languageCode.toLowerCase().startsWith('zh') ? 'zh' : 'en';
  return WELCOME[lang].join('\n');
}
