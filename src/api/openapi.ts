// The OpenAPI 3.1 document at /openapi.json, built from the route table so it cannot drift from
// what the server answers; the listener's own paths (session, stream, metrics) are added here.
import { API_PREFIX, ROUTES } from './api-routes.js';

const json = (schema: Record<string, unknown>): Record<string, unknown> => ({
  content: { 'application/json': { schema } },
});

const ERROR = {
  description: 'error',
  ...json({ type: 'object', properties: { error: { type: 'string' } } }),
};

export function openApiDocument(version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of ROUTES) {
    const op: Record<string, unknown> = {
      summary: r.summary,
      responses: { '200': { description: 'ok', ...json({}) }, '400': ERROR, '401': ERROR },
    };
    if (r.query !== undefined)
      op['parameters'] = r.query.map((q) => ({
        name: q.name,
        in: 'query',
        description: q.description,
        schema: { type: 'integer', minimum: q.min, maximum: q.max },
      }));
    if (r.body !== undefined) {
      op['requestBody'] = { required: false, ...json(r.body) };
      op['responses'] = { ...(op['responses'] as object), '409': ERROR };
    }
    paths[`${API_PREFIX}${r.path}`] = { ...paths[`${API_PREFIX}${r.path}`], [r.method.toLowerCase()]: op };
  }
  paths[`${API_PREFIX}/session`] = {
    post: {
      summary:
        'Exchange the bearer token for an HttpOnly session cookie (the dashboard; EventSource cannot send headers)',
      responses: { '204': { description: 'cookie set' }, '401': ERROR },
    },
    delete: { summary: 'End the session', responses: { '204': { description: 'cookie cleared' } } },
  };
  paths[`${API_PREFIX}/stream`] = {
    get: {
      summary:
        'Server-sent events: `snapshot` (cluster, nodes, links, groups) on every change, `event` for each cluster event',
      responses: {
        '200': { description: 'text/event-stream', content: { 'text/event-stream': {} } },
        '401': ERROR,
      },
    },
  };
  paths['/metrics'] = {
    get: {
      summary: 'Prometheus metrics (token-free only on metrics_listen)',
      responses: {
        '200': { description: 'text exposition format', content: { 'text/plain': {} } },
        '401': ERROR,
      },
    },
  };
  paths['/openapi.json'] = { get: { summary: 'This document', responses: { '200': { description: 'ok' } } } };
  return {
    openapi: '3.1.0',
    info: {
      title: 'heartbeat-ts HTTP API',
      version,
      description:
        'Every path needs `Authorization: Bearer <token>` (the api_token_file) or the dashboard session cookie. Only the dashboard page `/` itself is served without it (it holds no cluster data).',
    },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        session: { type: 'apiKey', in: 'cookie', name: 'hbts_session' },
      },
    },
    security: [{ bearer: [] }, { session: [] }],
    paths,
  };
}
