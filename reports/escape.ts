// Escaping for everything that comes from a history or a spec: keys, values, process names, fault
// targets and error messages are untrusted text and never reach the page unescaped.

const HTML: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Text for element content and quoted attribute values. */
export function esc(x: unknown): string {
  return String(x).replace(/[&<>"']/g, (c) => HTML[c]!);
}

/**
 * JSON to embed in `<script type="application/json">`: `<` is written as \u003c so no `</script>`
 * or `<!--` in a value can end or confuse the element; JSON.parse reads it back unchanged.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/** A JS source text to inline in `<script>`: only `</script` could end it early. */
export function scriptText(source: string): string {
  return source.replace(/<\/(script)/gi, "<\\/$1");
}

/** CSS to inline in `<style>`. */
export function styleText(source: string): string {
  return source.replace(/<\/(style)/gi, "<\\/$1");
}

/** A value as it reads in the evidence: strings quoted, numbers bare, long ones cut. */
export function showValue(x: unknown, max = 80): string {
  const s = typeof x === "number" ? String(x) : (JSON.stringify(x) ?? String(x));
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
