import { Hono } from 'hono';
import { receiveHook, type HookDeps } from '../../hooks/operations.js';

/** `POST /hooks/<terminal>/<hook name>`: an agent's own hook reporting its state (see docs/providers.md). */
export function hookRoutes(deps: HookDeps): Hono {
  return new Hono().post('/:terminal/:name', async (c) =>
    c.json(
      await receiveHook(deps, {
        terminalId: c.req.param('terminal'),
        name: c.req.param('name'),
        authorization: c.req.header('authorization'),
        body: await c.req.text(),
      }),
    ),
  );
}
