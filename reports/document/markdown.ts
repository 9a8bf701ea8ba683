/** The Markdown back end of the renderer model. Pure. */
import { cellText, type Block, type Doc, type Fact } from './model.js';

/** A Markdown table (first row is the header). Cells are escaped for pipes. */
export function markdownTable(rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return '';
  const esc = (c: string): string => c.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const [head, ...body] = rows;
  return [`| ${head!.map(esc).join(' | ')} |`, `| ${head!.map(() => '---').join(' | ')} |`, ...body.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}

function factItems(fs: readonly Fact[]): string {
  return fs.map((f) => `- **${f.label}**: ${f.value}`).join('\n');
}

function joined(blocks: readonly Block[]): string | null {
  const parts = blocks.map(block).filter((x): x is string => x !== null && x !== '');
  return parts.length > 0 ? parts.join('\n\n') : null;
}

function block(b: Block): string | null {
  switch (b.kind) {
    case 'heading':
      return `${'#'.repeat(b.level)} ${b.text}`;
    case 'paragraph':
      return b.tone === 'bug' || b.tone === 'verdict' ? `**${b.text.replace(/\*\*/g, '')}**` : b.text;
    case 'table':
      return markdownTable(b.rows.map((r) => r.map(cellText)));
    case 'list':
      return b.items.map((item, i) => `${b.ordered ? `${i + 1}.` : '-'} ${item}`).join('\n');
    case 'warnings':
      return b.warnings.length === 0 ? null : b.warnings.map((w) => `- **${w.code}**: ${w.message}. ${w.remedy}`).join('\n');
    case 'chart':
      return null;
    case 'summary':
      return [`**${b.headline.replace(/\*\*/g, '')}**`, ...(b.facts.length > 0 ? ['', factItems(b.facts)] : [])].join('\n');
    case 'facts':
      return b.facts.length > 0 ? factItems(b.facts) : null;
    case 'grid':
      return joined(b.blocks);
    case 'tabs':
      return b.tabs.map((t) => joined([{ kind: 'heading', level: 3, text: t.label }, ...t.blocks])).filter((x) => x !== null).join('\n\n') || null;
    case 'details':
      return ['<details>', `<summary>${b.summary}</summary>`, '', ...b.blocks.map(block).filter((x): x is string => x !== null).flatMap((x) => [x, '']), '</details>'].join('\n');
  }
}

export function renderMarkdown(doc: Doc): string {
  return doc.blocks.map(block).filter((x): x is string => x !== null && x !== '').join('\n\n') + '\n';
}
