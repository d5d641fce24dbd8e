// Runs in an isolated world of the frozen page just before the full-page screenshot
// (see overlays.py). Every change is inline style; globalThis.linkhomeRestore puts it back.
(options) => {
  const root = document.documentElement, body = document.body;
  if (!root) return {width: 0, height: 0};
  const saved = new Map();  // element -> its style attribute before we touched it (null: none)
  const set = (el, props) => {
    if (!saved.has(el)) saved.set(el, el.getAttribute('style'));
    for (const [name, value] of Object.entries(props)) el.style.setProperty(name, value, 'important');
  };
  globalThis.linkhomeRestore = () => {
    for (const [el, style] of saved) {
      if (style === null) el.removeAttribute('style'); else el.setAttribute('style', style);
    }
    const count = saved.size;
    saved.clear();
    return count;
  };
  window.scrollTo(0, 0);
  const vw = innerWidth, vh = innerHeight;
  const found = {consent: [], cookie: 0, dialog: 0, appBar: 0, scrollLock: false};
  const hideEl = (el) => set(el, {display: 'none'});
  const shown = (el) => el.isConnected && el.checkVisibility() && el.getClientRects().length > 0;

  // Every fixed or sticky element, in document order; hidden subtrees and SVG insides are skipped
  // (asking for their style would make Chromium compute what it never rendered).
  const walker = document.createTreeWalker(body || root, NodeFilter.SHOW_ELEMENT, {acceptNode(el) {
    const style = getComputedStyle(el);
    if (style.display === 'none') return NodeFilter.FILTER_REJECT;
    if (el.namespaceURI === 'http://www.w3.org/2000/svg') return NodeFilter.FILTER_REJECT;
    return style.position === 'fixed' || style.position === 'sticky' ? NodeFilter.FILTER_ACCEPT
      : NodeFilter.FILTER_SKIP;
  }});
  const placed = [];
  for (let el = walker.nextNode(); el; el = walker.nextNode()) placed.push(el);

  if (options.hide) {
    // Consent dialogs the rule set knows: one query for all rules, then which rule each match was.
    const rules = options.rules;
    const matching = (selector) => { try { return Array.from(document.querySelectorAll(selector)); }
                                     catch (e) { return null; } };
    let matched = matching(rules.map(([, selector]) => selector).join(','));
    if (matched === null) matched = rules.flatMap(([, selector]) => matching(selector) || []);
    const names = new Set();
    const consent = matched.filter(shown);
    for (const el of consent) {
      const rule = rules.find(([, selector]) => { try { return el.matches(selector); } catch (e) { return false; } });
      if (rule) names.add(rule[0]);
    }
    consent.forEach(hideEl);
    found.consent = Array.from(names).sort();

    // Our own rules, for what the rule set misses.
    const COOKIE = /cookie|cookies|consent|gdpr|隐私政策.{0,40}同意|同意.{0,40}(隐私|cookie)/i;
    const LOGIN = /登录|登錄|注册|註冊|log ?in\b|sign ?(in|up)\b|扫码|掃碼/i;
    const APP = /(打开|打開|下载|下載|使用|前往|去|在)\s*\S{0,6}\s*(app|客户端|客戶端)|app\s*(内|內)(打开|打開|查看|阅读|閱讀)|open (it )?in (the )?app|get the app|use the app|download (the|our) app/i;
    // Everything is measured first and hidden after: each write between two reads would cost a layout.
    const pageText = (body ? body.textContent : root.textContent).length;
    const doomed = [];
    for (const el of placed) {
      if (!shown(el) || doomed.some(d => d.contains(el))) continue;
      const style = getComputedStyle(el);
      const r = el.getBoundingClientRect();
      const w = Math.max(0, Math.min(r.right, vw) - Math.max(r.left, 0));
      const h = Math.max(0, Math.min(r.bottom, vh) - Math.max(r.top, 0));
      if (!w || !h) continue;
      const text = el.textContent.replace(/\s+/g, ' ').trim();
      // A fixed frame around the whole page's content is the page, not something over it.
      if (pageText > 500 && text.length > pageText / 2) continue;
      const z = parseInt(style.zIndex, 10) || 0;
      const cover = (w * h) / (vw * vh);
      const bar = w >= vw * 0.6 && r.height <= vh * 0.35;
      const atTop = r.top <= 2, atBottom = r.bottom >= vh - 2;
      // A dialog floats clear of the window's edges; a sidebar or header with a login link does not.
      const floating = r.left > 2 && r.right < vw - 2 && !atTop && !atBottom;
      if (text.length < 3000 && COOKIE.test(text)) { found.cookie += 1; doomed.push(el); }
      else if (bar && (atTop || atBottom) && text.length < 500 && APP.test(text)) { found.appBar += 1; doomed.push(el); }
      else if (bar && atBottom && text.length < 500 && LOGIN.test(text)) { found.appBar += 1; doomed.push(el); }
      else if (z >= 10 && cover >= 0.5 && text.length < 2000) { found.dialog += 1; doomed.push(el); }
      else if (z >= 10 && cover >= 0.08 && floating && text.length < 2000 && LOGIN.test(text)) {
        found.dialog += 1; doomed.push(el);
      }
    }
    doomed.forEach(hideEl);

    // Scroll locks: the page may scroll again, so all of it is in the shot.
    const locks = [root, body].filter(Boolean).map(el => [el, getComputedStyle(el)]).filter(([el, style]) =>
      /hidden|clip/.test(style.overflowY) || (el === body && style.position === 'fixed'));
    for (const [el, style] of locks) {
      const fixed = style.position === 'fixed';  // read before the first write below changes it
      set(el, {'overflow': 'visible', 'overflow-y': 'visible', 'height': 'auto', 'max-height': 'none'});
      if (fixed) set(el, {position: 'static', top: 'auto'});
      found.scrollLock = true;
    }
  }

  // Fixed elements, pinned where they are now at the top of the page with the size they have:
  // made absolute at 0,0 of whatever now contains them, measured, and moved by the difference.
  // Reads and writes go in batches (a page may have thousands of sticky elements); a fixed
  // element inside another is done in a later round, once its container is in place.
  const kept = placed.filter(shown).map(el => [el, getComputedStyle(el).position]);
  const fixedSet = new Set(kept.filter(([, position]) => position === 'fixed').map(([el]) => el));
  const depth = (el) => { let n = 0; for (let p = el.parentElement; p; p = p.parentElement) n += fixedSet.has(p); return n; };
  const rounds = [];
  for (const el of fixedSet) (rounds[depth(el)] = rounds[depth(el)] || []).push(el);
  for (const [el, position] of kept) {
    if (position === 'sticky') set(el, {position: 'relative', top: 'auto', bottom: 'auto', left: 'auto', right: 'auto'});
  }
  for (const round of rounds.filter(Boolean)) {
    const before = round.map(el => [el.getBoundingClientRect(), el.offsetWidth, el.offsetHeight]);
    round.forEach((el, i) => set(el, {position: 'absolute', transition: 'none', 'box-sizing': 'border-box',
      width: before[i][1] + 'px', height: before[i][2] + 'px', top: '0px', left: '0px', bottom: 'auto', right: 'auto'}));
    const after = round.map(el => el.getBoundingClientRect());
    round.forEach((el, i) => set(el, {top: (before[i][0].top - after[i].top) + 'px',
                                      left: (before[i][0].left - after[i].left) + 'px'}));
  }
  return {
    ...found,
    width: Math.max(root.scrollWidth, body ? body.scrollWidth : 0),
    height: Math.max(root.scrollHeight, body ? body.scrollHeight : 0),
  };
}
