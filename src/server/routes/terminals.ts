import { Hono } from 'hono';
import type { Runtime } from '../../runtime.js';
import { shutdownAll } from '../../session/operations.js';
import { sendInput, sendKeys } from '../../terminal/input.js';
import { readOutput } from '../../terminal/output.js';
import { interruptSchema, interruptTerminal } from '../../terminal/interrupt.js';
import { sendKeysSchema } from '../../terminal/keys.js';
import { outputQuerySchema, sendInputSchema } from '../../terminal/schema.js';
import { shutdownTerminal } from '../../terminal/shutdown.js';
import { body, query, terminalId } from '../http.js';

export function terminalRoutes(rt: Runtime): Hono {
  const get = (c: Parameters<typeof terminalId>[0]) => rt.terminals.get(terminalId(c));
  return new Hono()
    .get('/', async (c) => c.json({ terminals: await rt.terminals.list({ live: c.req.query('all') !== 'true' }) }))
    .get('/:id', async (c) => {
      const t = await get(c);
      return c.json({ ...t, statusSource: rt.monitor.statusSource(t.id) ?? null });
    })
    .post('/:id/input', async (c) => c.json(await sendInput(rt, await get(c), await body(c, sendInputSchema))))
    .post('/:id/keys', async (c) => {
      await sendKeys(rt, await get(c), (await body(c, sendKeysSchema)).keys);
      return c.json({ ok: true });
    })
    .post('/:id/interrupt', async (c) => {
      const deps = { terminals: rt.terminals, monitor: rt.monitor, bus: rt.bus, tmux: rt.tmux, providersDir: rt.layout.providers };
      return c.json(await interruptTerminal(deps, await get(c), await body(c, interruptSchema)));
    })
    .get('/:id/output', async (c) => {
      const { mode } = query(c, outputQuerySchema);
      return c.json({ mode, output: await readOutput(rt, await get(c), mode) });
    })
    .delete('/', async (c) => c.json({ shutdown: await shutdownAll(rt) }))
    .delete('/:id', async (c) => c.json(await shutdownTerminal(rt, await get(c))));
}
