import { Hono } from 'hono';
import { listProviders } from '../../providers/registry.js';
import type { Runtime } from '../../runtime.js';

export function providerRoutes(rt: Runtime): Hono {
  return new Hono().get('/', (c) => {
    const { providers, invalid } = listProviders(rt.layout.providers);
    const list = providers.map((e) => ({ name: e.provider.name, description: e.provider.description, source: e.source, file: e.file }));
    return c.json({ providers: list, invalid });
  });
}
