import { Hono } from 'hono';
import { listProfiles, resolveProfile } from '../../profile/load.js';
import { providerNames } from '../../providers/registry.js';
import type { Runtime } from '../../runtime.js';

export function profileRoutes(rt: Runtime): Hono {
  return new Hono()
    .get('/', (c) => c.json(listProfiles(rt.layout.profiles, undefined, providerNames(rt.layout.providers))))
    .get('/:name', (c) => c.json(resolveProfile(c.req.param('name'), rt.layout.profiles, undefined, providerNames(rt.layout.providers))));
}
