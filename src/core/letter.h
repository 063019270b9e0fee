/* Letters and notification texts from templates (DOMAIN §12): 受理函 acknowledgement,
 * result notice, apology, follow-up survey invitation, pending-items reminder, SLA
 * warnings. A template is text with {{name}} variables; rendering takes the values from a
 * JSON object of strings (numbers are printed, null/missing give ""). Pure: no I/O.
 *
 * Syntax: {{name}} where name is [a-z0-9_.]{1,64}; "{{{{" is a literal "{{". Anything else
 * is copied as it is. An unknown variable is an error at validation time (so admins learn of
 * a typo when they save the template), and renders as "" at sending time. */
#ifndef TS_LETTER_H
#define TS_LETTER_H

#include <jansson.h>
#include <stddef.h>

/* Checks a template: balanced braces and every variable in `known` (NULL-terminated).
 * TS_ERR_INVALID with a one-line reason in why (static or written into whybuf). */
int ts_letter_check(const char *tpl, const char *const *known, char *whybuf, size_t whysz);

/* Renders tpl with vars. html = 1 escapes the values for HTML (& < > " ') and the template
 * text is taken as HTML already; html = 0 copies values as they are. *out is malloc'd. */
int ts_letter_render(const char *tpl, json_t *vars, int html, char **out);

/* The text of a plain-text letter as simple HTML: escaped, paragraphs on blank lines,
 * <br> on single newlines, wrapped in a minimal UTF-8 HTML document with the title.
 * *out is malloc'd. */
int ts_letter_text_to_html(const char *title, const char *text, char **out);

#endif
