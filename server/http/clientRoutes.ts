import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Paths the single-page client routes itself: the server answers them with index.html. */
const SPA_ROUTES = [/^\/$/, /^\/host\/?$/, /^\/host\/[A-Za-z0-9]{1,10}\/?$/, /^\/join(\/[A-Za-z0-9-]{1,12})?\/?$/, /^\/present\/[A-Za-z0-9-]{1,12}\/?$/, /^\/replay(\/[-\w]{1,100})?\/?$/, /^\/demo\/?$/, /^\/explain\/?$/];

const NOT_BUILT = `<!doctype html><html lang="en"><meta charset="utf-8"><title>OOM Arena</title>
<body style="font-family:system-ui;max-width:40rem;margin:4rem auto">
<h1>OOM Arena</h1><p>The client has not been built yet. Run <code>npm run build</code> (or <code>npm start</code>, which builds it) and reload.</p>`;

/**
 * The built client from `dir` (dist/client) with an SPA fallback for its routes; a plain page saying how to
 * build it when the directory is missing. Unknown /api paths stay JSON 404s.
 */
export async function clientRoutes(app: FastifyInstance, o: { dir: string }): Promise<void> {
  const built = existsSync(join(o.dir, 'index.html'));
  if (built) {
    // wildcard: false registers one route per file found at start-up: no path probing outside the build.
    await app.register(fastifyStatic, {
      root: o.dir,
      wildcard: false,
      index: false,
      cacheControl: false,
      // The build writes Brotli and gzip copies beside each file (scripts/precompress.ts): a browser that accepts one
      // gets it, the others the file itself.
      preCompressed: true,
      // The copies are found beside their file when it is asked for; they get no route of their own.
      globIgnore: ['**/*.br', '**/*.gz'],
      setHeaders: (res, path) => {
        // Vite puts a content hash in asset names: cache them for good; everything else is revalidated.
        res.setHeader('cache-control', /[\\/]assets[\\/]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache');
        // The same URL answers in several encodings: a shared cache (a school's proxy) must key on what was asked.
        res.setHeader('vary', 'accept-encoding');
      },
    });
  }
  app.setNotFoundHandler(async (req, reply) => {
    const path = req.url.split('?')[0] ?? '/';
    // HEAD answers like GET (headers, no body), as HTTP requires; fastify adds HEAD only to its own GET routes.
    if ((req.method === 'GET' || req.method === 'HEAD') && SPA_ROUTES.some((r) => r.test(path))) {
      if (!built) return reply.type('text/html').send(NOT_BUILT);
      return reply.header('cache-control', 'no-cache').sendFile('index.html');
    }
    return reply.code(404).send({ error: { code: 'NOT_FOUND', message: `Nothing at ${req.method} ${path}.` } });
  });
}
