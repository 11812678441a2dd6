type Json = Record<string, unknown>;

const escapeHtml = (s: string) =>
  s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
/** Inline `code` spans of the descriptions, after escaping. */
const text = (s: unknown) => (typeof s === 'string' ? escapeHtml(s).replace(/`([^`]+)`/g, '<code>$1</code>') : '');

function schemaType(schema: Json | undefined): string {
  if (!schema) return '';
  if (typeof schema.$ref === 'string') return schema.$ref.split('/').pop() ?? '';
  if (Array.isArray(schema.enum)) return schema.enum.map(String).join(' | ');
  return String(schema.type ?? '');
}

function renderOperation(path: string, method: string, op: Json): string {
  const params = (op.parameters as Json[] | undefined) ?? [];
  const rows = params
    .map(
      (p) =>
        `<tr><td><code>${escapeHtml(String(p.name))}</code></td><td>${escapeHtml(String(p.in))}</td><td>${escapeHtml(schemaType(p.schema as Json))}</td><td>${text((p.description as string) ?? (p.schema as Json | undefined)?.description)}</td></tr>`,
    )
    .join('');
  const responses = Object.entries((op.responses as Record<string, Json>) ?? {})
    .map(
      ([status, r]) =>
        `<li><b>${escapeHtml(status)}</b> ${text(r.description)} <small>${escapeHtml(Object.keys((r.content as Json) ?? {}).join(', '))}</small></li>`,
    )
    .join('');
  const id = `${method}-${path}`.replace(/[^a-z0-9]+/gi, '-');
  return `<section id="${id}"><h3><span class="m">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code></h3>
<p><b>${text(op.summary)}</b></p><p>${text(op.description)}</p>
${rows ? `<table><tr><th>parameter</th><th>in</th><th>type</th><th>meaning</th></tr>${rows}</table>` : ''}
<ul>${responses}</ul></section>`;
}

/** Renders an OpenAPI document as one self-contained HTML page (no scripts, no external assets). */
export function renderDocsPage(document: Json): string {
  const info = (document.info as Json) ?? {};
  const paths = Object.entries((document.paths as Record<string, Record<string, Json>>) ?? {});
  const toc = paths
    .map(([path]) => `<li><a href="#get-${path.replace(/[^a-z0-9]+/gi, '-')}"><code>${escapeHtml(path)}</code></a></li>`)
    .join('');
  const body = paths.flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => renderOperation(path, method, op))).join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${text(info.title)} ${text(info.version)}</title><style>
body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
code{background:#f2f2f2;padding:0 .25rem;border-radius:3px}table{border-collapse:collapse;margin:.5rem 0}
td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}.m{background:#005a9c;color:#fff;padding:0 .4rem;border-radius:3px;font-size:.8em}
section{border-top:1px solid #ddd;padding-top:.5rem}</style></head><body>
<h1>${text(info.title)} <small>${text(info.version)}</small></h1><p>${text(info.description)}</p>
<p>Machine-readable: <a href="/openapi.json"><code>/openapi.json</code></a> (OpenAPI ${text(document.openapi)}).</p>
<nav><ul>${toc}</ul></nav>
${body}
</body></html>`;
}
