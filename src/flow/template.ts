/**
 * The prompt template of a flow: `{{output.key}}` (nested: `{{output.a.b}}`, the whole object:
 * `{{output}}`) takes values from the gate script's output; `{{flow.name}}`, `{{run.id}}` and
 * `{{run.trigger}}` describe the run. Anything else is refused when the flow is added.
 */
const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const OUTPUT_REF = /^output(?:\.[A-Za-z0-9_-]+)*$/;
const RUN_REFS = new Set(['flow.name', 'run.id', 'run.trigger']);

export class TemplateError extends Error {}

export interface TemplateContext {
  flow: { name: string };
  run: { id: number; trigger: string };
  output: Record<string, unknown>;
}

/** A problem with the template's placeholders, or undefined when it is fine. */
export function checkTemplate(template: string, hasGate: boolean): string | undefined {
  for (const [whole, ref] of template.matchAll(PLACEHOLDER)) {
    if (RUN_REFS.has(ref)) continue;
    if (!OUTPUT_REF.test(ref)) {
      return `unknown placeholder ${whole}: use {{output.KEY}} (from the gate script), {{flow.name}}, {{run.id}} or {{run.trigger}}`;
    }
    if (!hasGate) return `${whole} needs a gate script: without \`script\` there is no output to fill it from`;
  }
  return undefined;
}

function show(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value, null, 2);
}

function lookup(ref: string, ctx: TemplateContext): unknown {
  if (ref === 'flow.name') return ctx.flow.name;
  if (ref === 'run.id') return ctx.run.id;
  if (ref === 'run.trigger') return ctx.run.trigger;
  let value: unknown = ctx.output;
  for (const key of ref.split('.').slice(1)) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) {
      throw new TemplateError(`the prompt uses {{${ref}}}, but the gate script's output has no '${ref.slice('output.'.length)}'`);
    }
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** Fills every placeholder; a value the output lacks is an error, never an empty string. */
export function fillTemplate(template: string, ctx: TemplateContext): string {
  return template.replace(PLACEHOLDER, (_whole, ref: string) => show(lookup(ref, ctx)));
}
