// The demo portal's own script (a separate file, so the page runs under `script-src 'self'` with no inline code).
/* global window, document */
(() => {
  const toggle = document.getElementById('lang-toggle');
  const items = [...document.querySelectorAll('[data-en],[data-en-placeholder],[data-en-aria]')].map((el) => ({
    el,
    zh: { text: el.textContent, placeholder: el.getAttribute('placeholder'), aria: el.getAttribute('aria-label') },
  }));
  const setLang = (en) => {
    document.documentElement.lang = en ? 'en' : 'zh-CN';
    document.title = en ? 'Yunzhou Government Services (demo)' : '云州市政务服务网（演示）';
    for (const { el, zh } of items) {
      if (el.dataset.en) el.textContent = en ? el.dataset.en : zh.text;
      if (el.dataset.enPlaceholder) el.setAttribute('placeholder', en ? el.dataset.enPlaceholder : zh.placeholder);
      if (el.dataset.enAria) el.setAttribute('aria-label', en ? el.dataset.enAria : zh.aria);
    }
    toggle.textContent = en ? '中文' : 'English';
    toggle.lang = en ? 'zh-CN' : 'en';
  };
  toggle.addEventListener('click', () => setLang(document.documentElement.lang !== 'en'));
  const openWidget = () => window.huiyingWidget && window.huiyingWidget.open();
  document.getElementById('portal-search-form').addEventListener('submit', (event) => {
    event.preventDefault();
    openWidget();
  });
  document.getElementById('portal-ask').addEventListener('click', openWidget);
})();
