// Serialises the live page, as the reader sees it now, for the offline copy.
//
// Runs in an isolated world (the page cannot replace what it calls) after the page's scripts
// were frozen. It walks the DOM, not the markup the page was sent: what scripts built, open
// shadow roots, same-process frames, canvas pixels, form values and rules added through the
// CSSOM are all read from the live objects. Every URL is made absolute here; the engine later
// swaps each for the bytes the browser already holds and sanitises every fragment on its own.
//
// Placeholders for the parts (shadow roots, frames, SVG images) are elements named with
// NONCE, which the engine made up for this one run: the page cannot know it, so it cannot
// forge a placeholder that the engine would turn into a frame or a shadow root.
(function (NONCE, REMOTE) {
  const parts = [];
  const remote = [];
  const SKIP = new Set(['SCRIPT', 'NOSCRIPT', 'TEMPLATE', 'OBJECT', 'EMBED', 'APPLET', 'META', 'BASE',
    'TITLE', 'PORTAL', 'FENCEDFRAME', 'PARAM']);
  const LAZY = ['data-src', 'data-original', 'data-lazy-src', 'data-lazy', 'data-url', 'data-actualsrc'];
  const URL_ATTRS = new Set(['src', 'href', 'poster', 'action', 'cite', 'background']);
  const VOID = new Set(['AREA', 'BR', 'COL', 'HR', 'IMG', 'INPUT', 'SOURCE', 'TRACK', 'WBR', 'LINK']);
  const CSS_URL = /url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)/gi;
  const MAX_NODES = 200000;
  let nodes = 0;

  const text = (value) => String(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const attr = (value) => text(value).replace(/"/g, '&quot;');
  const absolute = (raw, base) => {
    const value = String(raw).trim();
    if (!value || value.startsWith('data:') || value.startsWith('#')) return value;
    try { return new URL(value, base).href; } catch (e) { return ''; }
  };
  const cssUrls = (css, base) => String(css).replace(CSS_URL, (whole, a, b, c) => {
    const raw = a !== undefined ? a : b !== undefined ? b : c;
    if (raw.startsWith('data:') || raw.startsWith('#')) return whole;
    return 'url("' + absolute(raw, base).replace(/"/g, '%22') + '")';
  });
  const srcset = (value, base) => String(value).split(',').map((candidate) => {
    const bits = candidate.trim().split(/\s+/);
    if (!bits[0]) return '';
    bits[0] = absolute(bits[0], base);
    return bits.join(' ');
  }).filter(Boolean).join(', ');
  const open = (tag, attrs) => '<' + tag + Object.entries(attrs)
    .filter(([, v]) => v !== null && v !== undefined && v !== false)
    .map(([k, v]) => ' ' + k + (v === true ? '' : '="' + attr(v) + '"')).join('') + '>';

  function rulesText(sheet, base, depth) {
    let rules;
    try { rules = sheet.cssRules; } catch (e) { return null; }  // another origin's sheet
    if (!rules) return null;
    let out = '';
    for (const rule of rules) {
      if (rule.type === CSSRule.IMPORT_RULE) {
        const href = absolute(rule.href, base);
        const inner = rule.styleSheet && depth < 5 ? rulesText(rule.styleSheet, rule.styleSheet.href || href, depth + 1) : null;
        const media = rule.media && rule.media.mediaText;
        if (inner === null) out += '@import url("' + href + '")' + (media ? ' ' + media : '') + ';\n';
        else out += media ? '@media ' + media + ' {\n' + inner + '}\n' : inner;
      } else {
        out += cssUrls(rule.cssText, base) + '\n';
      }
    }
    return out;
  }

  function sheetStyle(sheet, media, fallbackHref) {
    const base = sheet && sheet.href ? sheet.href : document.baseURI;
    const css = sheet ? rulesText(sheet, base, 0) : null;
    if (css === null) {
      return fallbackHref ? open('style', {media: media || null, 'data-href': fallbackHref}) + '</style>' : '';
    }
    return open('style', {media: media || null}) + css.replace(/<\/(style)/gi, '<\\/$1') + '</style>';
  }

  function adopted(root) {
    let out = '';
    for (const sheet of root.adoptedStyleSheets || []) out += sheetStyle(sheet, '', '');
    return out;
  }

  function placeholder(kind, index, attrs) {
    return open('lh-' + kind + '-' + NONCE, Object.assign({'data-i': String(index)}, attrs || {})) +
      '</lh-' + kind + '-' + NONCE + '>';
  }

  function boxAttrs(el) {
    const attrs = {};
    for (const name of ['class', 'id', 'style', 'title', 'width', 'height']) {
      const value = el.getAttribute(name);
      if (value !== null) attrs[name] = name === 'style' ? cssUrls(value, el.baseURI) : value;
    }
    return attrs;
  }

  function pixels(source, width, height) {
    try {
      if (source.tagName === 'CANVAS') return source.toDataURL('image/png');
      const canvas = document.createElement('canvas');
      canvas.width = width;
      canvas.height = height;
      canvas.getContext('2d').drawImage(source, 0, 0, width, height);
      return canvas.toDataURL('image/jpeg', 0.85);
    } catch (e) {
      return '';  // a tainted canvas or a frame from another origin: its pixels may not be read
    }
  }

  function svgPart(svg) {
    const copy = svg.cloneNode(true);
    const doc = svg.ownerDocument;
    const root = svg.getRootNode();
    const defs = doc.createElementNS('http://www.w3.org/2000/svg', 'defs');
    const externals = [];
    const seen = new Set();
    for (const use of copy.querySelectorAll('use')) {
      const raw = use.getAttribute('href') || use.getAttributeNS('http://www.w3.org/1999/xlink', 'href') || '';
      if (raw.startsWith('#')) {
        const id = raw.slice(1);
        if (seen.has(id) || copy.querySelector('[id="' + CSS.escape(id) + '"]')) continue;
        seen.add(id);
        const target = (root.getElementById ? root.getElementById(id) : null) || doc.getElementById(id);
        if (target) defs.appendChild(target.cloneNode(true));
      } else if (raw) {
        const href = absolute(raw, doc.baseURI);
        use.setAttribute('href', href);
        externals.push(href);
      }
    }
    // As an image the SVG no longer inherits the page's colour or its stylesheet: keep both.
    const originals = svg.querySelectorAll('*');
    const copies = copy.querySelectorAll('*');
    if (originals.length === copies.length && originals.length < 2000) {
      originals.forEach((node, i) => {
        const style = getComputedStyle(node);
        copies[i].setAttribute('style', 'fill:' + style.fill + ';stroke:' + style.stroke + ';stroke-width:' +
          style.strokeWidth + ';opacity:' + style.opacity + ';' + (copies[i].getAttribute('style') || ''));
      });
    }
    if (defs.childNodes.length) copy.insertBefore(defs, copy.firstChild);
    // An image never runs script; what the page put there goes all the same.
    for (const node of [copy, ...copy.querySelectorAll('*')]) {
      if (node.localName === 'script') { node.remove(); continue; }
      for (const name of node.getAttributeNames()) if (name.toLowerCase().startsWith('on')) node.removeAttribute(name);
    }
    const box = svg.getBoundingClientRect();
    copy.setAttribute('color', getComputedStyle(svg).color);
    if (!copy.getAttribute('xmlns')) copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
    if (box.width && box.height) {
      copy.setAttribute('width', String(box.width));
      copy.setAttribute('height', String(box.height));
    }
    parts.push({kind: 'svg', markup: new XMLSerializer().serializeToString(copy), externals: externals});
    const attrs = boxAttrs(svg);
    if (box.width && box.height) { attrs.width = String(Math.round(box.width)); attrs.height = String(Math.round(box.height)); }
    return placeholder('svg', parts.length - 1, attrs);
  }

  function frame(el) {
    let doc = null;
    try { doc = el.contentDocument; } catch (e) { doc = null; }
    if (doc && doc.documentElement) {
      parts.push(Object.assign({kind: 'frame'}, documentParts(doc)));
    } else {
      remote.push(el);
      parts.push({kind: 'remote', index: remote.length - 1});
    }
    return placeholder('frame', parts.length - 1, boxAttrs(el));
  }

  // The one srcset candidate the browser chose (and the sizes it was chosen for), so the copy
  // lays the image out as the page did; the other candidates would only add bytes.
  function candidate(img, chosen, base) {
    const owners = [img];
    if (img.parentElement && img.parentElement.tagName === 'PICTURE') {
      owners.unshift(...Array.from(img.parentElement.children).filter((c) => c.tagName === 'SOURCE'));
    }
    for (const owner of owners) {
      for (const item of (owner.getAttribute('srcset') || '').split(',')) {
        const bits = item.trim().split(/\s+/);
        if (bits[0] && absolute(bits[0], base) === chosen) {
          const sizes = owner.getAttribute('sizes');
          return Object.assign({srcset: [chosen, ...bits.slice(1)].join(' ')}, sizes ? {sizes: sizes} : {});
        }
      }
    }
    return null;
  }

  function controlAttrs(el, attrs) {
    if (el.tagName === 'INPUT') {
      const type = (el.type || 'text').toLowerCase();
      if (type === 'checkbox' || type === 'radio') attrs.checked = el.checked;
      else if (type === 'password') attrs.value = el.value ? '\u2022'.repeat(el.value.length) : null;
      else if (type !== 'file') attrs.value = el.value;
    } else if (el.tagName === 'OPTION') {
      attrs.selected = el.selected;
    } else if (el.tagName === 'BUTTON') {
      attrs.type = 'button';
    }
  }

  function element(el) {
    const tag = el.tagName;
    if (SKIP.has(tag)) return '';
    if (tag === 'STYLE') return sheetStyle(el.sheet, el.getAttribute('media'), '');
    if (tag === 'LINK') {
      const rel = (el.getAttribute('rel') || '').toLowerCase().split(/\s+/);
      if (!rel.includes('stylesheet') || !el.sheet) return '';
      return sheetStyle(el.sheet, el.getAttribute('media'), absolute(el.getAttribute('href') || '', el.baseURI));
    }
    if (tag === 'IFRAME' || tag === 'FRAME') return frame(el);
    if (tag === 'SOURCE' && el.parentElement && el.parentElement.tagName === 'PICTURE') return '';
    if (el.namespaceURI === 'http://www.w3.org/2000/svg') return tag.toLowerCase() === 'svg' ? svgPart(el) : '';
    if (el.namespaceURI === 'http://www.w3.org/1998/Math/MathML') return '';
    const base = el.baseURI;
    const name = tag.toLowerCase();
    if (tag === 'CANVAS') {
      return open('img', Object.assign(boxAttrs(el), {src: pixels(el) || null, width: el.width, height: el.height, alt: ''}));
    }
    const attrs = {};
    for (const a of el.attributes) {
      const key = a.name.toLowerCase();
      if (key.startsWith('on') || key === 'srcdoc' || key === 'shadowrootmode' || key === 'shadowroot') continue;
      if (URL_ATTRS.has(key)) attrs[key] = absolute(a.value, base);
      else if (key === 'srcset') attrs[key] = srcset(a.value, base);
      else if (key === 'style') attrs[key] = cssUrls(a.value, base);
      else attrs[key] = a.value;
    }
    if (tag === 'IMG') {
      let chosen = el.currentSrc || el.src;
      if (!el.complete || !el.naturalWidth || chosen.startsWith('data:') && chosen.length < 200) {
        const lazy = LAZY.map((n) => el.getAttribute(n)).find(Boolean);
        if (lazy) chosen = absolute(lazy, base);
      }
      attrs.src = chosen;
      delete attrs.loading;
      delete attrs.sizes;
      delete attrs.srcset;
      const picked = candidate(el, chosen, base);
      if (picked && (picked.sizes || !/^(1x)?$/.test(picked.srcset.slice(chosen.length).trim()))) {
        Object.assign(attrs, picked);  // the descriptor decides the layout size: it alone carries the image
        delete attrs.src;
      }
    } else if (tag === 'VIDEO') {
      const frameNow = el.readyState >= 2 ? pixels(el, el.videoWidth, el.videoHeight) : '';
      const video = Object.assign(boxAttrs(el), {poster: frameNow || attrs.poster || null});
      return open('video', video) + '</video>';
    } else if (tag === 'AUDIO') {
      return open('audio', Object.assign(boxAttrs(el), {controls: el.controls})) + '</audio>';
    } else if (tag === 'TEXTAREA') {
      return open('textarea', attrs) + text(el.value) + '</textarea>';
    }
    controlAttrs(el, attrs);
    if (VOID.has(tag)) return open(name, attrs);
    let inner = '';
    if (el.shadowRoot) {
      parts.push({kind: 'shadow', html: ''});
      const index = parts.length - 1;
      parts[index].html = adopted(el.shadowRoot) + children(el.shadowRoot);
      inner += placeholder('shadow', index);
    }
    return open(name, attrs) + inner + children(el) + '</' + name + '>';
  }

  function children(parent) {
    let out = '';
    for (let node = parent.firstChild; node; node = node.nextSibling) {
      if (++nodes > MAX_NODES) break;
      if (node.nodeType === Node.ELEMENT_NODE) out += element(node);
      else if (node.nodeType === Node.TEXT_NODE) out += text(node.data);
    }
    return out;
  }

  function attributes(el) {
    const out = {};
    if (!el) return out;
    for (const name of ['class', 'style', 'lang', 'dir']) {
      const value = el.getAttribute(name);
      if (value !== null) out[name] = name === 'style' ? cssUrls(value, el.baseURI) : value;
    }
    return out;
  }

  function documentParts(doc) {
    const head = doc.head ? children(doc.head) : '';
    const body = doc.body ? children(doc.body) : '';
    return {
      head: head + adopted(doc),
      body: body,
      htmlAttrs: attributes(doc.documentElement),
      bodyAttrs: attributes(doc.body),
      url: doc.URL,
    };
  }

  const result = documentParts(document);
  result.parts = parts;
  window[REMOTE] = remote;  // this world's own global: the engine asks it which frames these were
  return result;
})
