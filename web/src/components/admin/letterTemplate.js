// The letter templates' syntax, as the server reads it (src/core/letter.c):
//   "{{{{"            a literal "{{"
//   "{{" name "}}"    a variable; name is 1–64 of a-z 0-9 _ .
//   "{{" other        malformed
//   anything else     text

export const LETTER_VARS = ['case_no', 'customer_name', 'title', 'grade', 'status', 'reply', 'summary', 'pending_reason', 'handler', 'owner', 'received_at', 'registered_at', 'accepted_at', 'answer_due', 'today', 'org_name', 'month', 'clock_name', 'due_at', 'holder', 'escalated_to', 'reason'];

/* The tokens of a template: {kind: 'text'|'literal'|'var'|'bad', text, pos (1-based character)}. */
export function tokens(tpl) {
  const out = [];
  let i = 0;
  let text = '';
  const flush = () => {
    if (text) out.push({ kind: 'text', text });
    text = '';
  };
  const pos = (at) => [...tpl.slice(0, at)].length + 1;
  while (i < tpl.length) {
    if (tpl[i] !== '{' || tpl[i + 1] !== '{') {
      text += tpl[i++];
      continue;
    }
    if (tpl[i + 2] === '{' && tpl[i + 3] === '{') {
      flush();
      out.push({ kind: 'literal', text: '{{', pos: pos(i) });
      i += 4;
      continue;
    }
    const m = /^[a-z0-9_.]{1,64}\}\}/.exec(tpl.slice(i + 2, i + 2 + 67));
    flush();
    if (m) {
      const name = m[0].slice(0, -2);
      out.push({ kind: 'var', text: name, pos: pos(i) });
      i += 4 + name.length;
    } else {
      out.push({ kind: 'bad', text: '{{', pos: pos(i) });
      i += 2;
    }
  }
  flush();
  return out;
}

/* The first problem of a template as {kind: 'bad'|'unknown', name, pos}, or null. */
export function checkTemplate(tpl) {
  for (const tk of tokens(tpl ?? '')) {
    if (tk.kind === 'bad') return { kind: 'bad', pos: tk.pos };
    if (tk.kind === 'var' && !LETTER_VARS.includes(tk.text)) return { kind: 'unknown', name: tk.text, pos: tk.pos };
  }
  return null;
}
