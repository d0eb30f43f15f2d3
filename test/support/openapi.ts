// Request/response validation against schemas/gateway-openapi.yaml, the single source of the
// gateway's API: ajv's JSON Schema 2020-12 validator (OpenAPI 3.1's schema dialect) over the
// document's own components, so a response that drifts from the file fails the test that got it.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import YAML from 'yaml';

const SPEC_PATH = fileURLToPath(new URL('../../schemas/gateway-openapi.yaml', import.meta.url));

interface MediaType { schema?: object }
interface ResponseObject { $ref?: string; content?: Record<string, MediaType>; headers?: Record<string, { $ref?: string; schema?: object }> }
interface Operation { requestBody?: { content: Record<string, MediaType> }; responses: Record<string, ResponseObject> }
interface Spec { paths: Record<string, Record<string, Operation>>; components: { responses: Record<string, ResponseObject>; headers: Record<string, { schema: object }> } }

export interface OpenApiValidator {
  readonly spec: Spec;
  /** Throws when the response (status, content type, body, documented headers) is not what the file says for `method path`. */
  response(method: string, path: string, res: { status: number; headers: Headers; body: string }): void;
  /** Throws when `body` does not match the operation's request body schema. */
  request(method: string, path: string, body: unknown): void;
}

/** `specPath`: another API's document (the sink's schemas/sink-audit-openapi.yaml). */
export function loadOpenApi(specPath: string = SPEC_PATH): OpenApiValidator {
  const spec = YAML.parse(readFileSync(specPath, 'utf8')) as Spec;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  // The whole document is one schema resource, so '#/components/...' references resolve in it.
  ajv.addSchema({ $id: 'gateway', ...spec } as object);
  const check = (pointer: string, value: unknown, what: string) => {
    const validate = ajv.getSchema(`gateway#${pointer}`);
    if (!validate) throw new Error(`openapi: no schema at ${pointer}`);
    if (!validate(value)) throw new Error(`openapi: ${what} does not match ${pointer}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(value).slice(0, 2000)}`);
  };
  const template = (path: string): string => {
    const p = path.split('?')[0]!;
    if (spec.paths[p]) return p;
    const parts = p.split('/');
    for (const t of Object.keys(spec.paths)) {
      const tp = t.split('/');
      if (tp.length === parts.length && tp.every((seg, i) => seg.startsWith('{') || seg === parts[i])) return t;
    }
    throw new Error(`openapi: no path template for ${p}`);
  };
  const esc = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');
  return {
    spec,
    request(method, path, body) {
      const t = template(path);
      check(`/paths/${esc(t)}/${method.toLowerCase()}/requestBody/content/application~1json/schema`, body, `${method} ${path} request body`);
    },
    response(method, path, res) {
      const t = template(path);
      const m = method.toLowerCase();
      const op = spec.paths[t]![m];
      // A method the path does not have is answered 405 (the document's MethodNotAllowed response).
      if (!op && res.status !== 405) throw new Error(`openapi: ${method} ${t} is not documented`);
      let r = op ? op.responses[String(res.status)] : { $ref: '#/components/responses/MethodNotAllowed' };
      if (!r) throw new Error(`openapi: ${method} ${t} has no documented ${res.status} response`);
      let base = `/paths/${esc(t)}/${m}/responses/${res.status}`;
      if (r.$ref) {
        base = r.$ref.slice(1);
        r = spec.components.responses[r.$ref.split('/').pop()!]!;
      }
      const type = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
      const media = r.content?.[type];
      if (!media) throw new Error(`openapi: ${method} ${t} ${res.status} is documented as ${Object.keys(r.content ?? {}).join(', ')}, got ${type}`);
      const body = type === 'application/json' ? JSON.parse(res.body) : res.body;
      check(`${base}/content/${esc(type)}/schema`, body, `${method} ${path} ${res.status} body`);
      for (const [name, h] of Object.entries(r.headers ?? {})) {
        const value = res.headers.get(name);
        if (value === null) continue; // documented headers are optional unless a test asserts them
        const pointer = h.$ref ? h.$ref.slice(1) + '/schema' : `${base}/headers/${esc(name)}/schema`;
        check(pointer, value, `${method} ${path} ${res.status} header ${name}`);
      }
    },
  };
}
