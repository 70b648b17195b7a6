import { generateKeyPairSync, verify } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** How the fake answers for one spreadsheet id. */
export type SheetBehaviour =
  | { kind: 'ok'; modifiedTime?: string; cells?: Record<string, unknown> }
  | { kind: 'status'; status: number }
  | { kind: 'hang' };

export interface FakeGoogle {
  /** `http://127.0.0.1:PORT`: both api_base_url and the host of token_url. */
  baseUrl: string;
  tokenUrl: string;
  /** A service-account JSON key file whose public key the fake checks assertions with. */
  credentialsFile: string;
  clientEmail: string;
  privateKeyPem: string;
  sheets: Map<string, SheetBehaviour>;
  /** Make the token endpoint refuse (e.g. 400 invalid_grant) instead of issuing tokens. */
  tokenStatus: number;
  tokenRequests: number;
  /** Every API request's method and path (with query), for assertions. */
  requests: string[];
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/**
 * A local stand-in for Google's token endpoint, Drive and Sheets on 127.0.0.1 (random port). The
 * token endpoint verifies the RS256 assertion against the generated key, its `aud` and scopes,
 * exactly as Google would refuse a wrong one.
 */
export async function startFakeGoogle(): Promise<FakeGoogle> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const clientEmail = 'datamon-test@example-project.iam.gserviceaccount.com';
  const dir = await mkdtemp(join(tmpdir(), 'datamon-google-'));
  const credentialsFile = join(dir, 'service-account.json');
  await writeFile(credentialsFile, JSON.stringify({ type: 'service_account', client_email: clientEmail, private_key: privateKey, private_key_id: 'k1' }));
  const issued = new Set<string>();
  const sockets = new Set<Socket>();

  const fake: FakeGoogle = {
    baseUrl: '',
    tokenUrl: '',
    credentialsFile,
    clientEmail,
    privateKeyPem: privateKey,
    sheets: new Map(),
    tokenStatus: 200,
    tokenRequests: 0,
    requests: [],
    close: async () => undefined,
  };

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (req.method === 'POST' && url.pathname === '/token') {
        fake.tokenRequests += 1;
        const form = new URLSearchParams(await readBody(req));
        if (fake.tokenStatus !== 200) return json(res, fake.tokenStatus, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });
        const [header = '', claims = '', signature = ''] = (form.get('assertion') ?? '').split('.');
        const valid = verify('RSA-SHA256', Buffer.from(`${header}.${claims}`), publicKey, Buffer.from(signature, 'base64url'));
        const payload = JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')) as { aud?: string; iss?: string; scope?: string };
        if (
          form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer' ||
          !valid ||
          payload.aud !== fake.tokenUrl ||
          payload.iss !== clientEmail ||
          !payload.scope?.includes('drive.metadata.readonly')
        ) {
          return json(res, 400, { error: 'invalid_grant', error_description: 'bad assertion' });
        }
        const token = `token-${fake.tokenRequests}`;
        issued.add(token);
        return json(res, 200, { access_token: token, expires_in: 3600, token_type: 'Bearer' });
      }
      fake.requests.push(`${req.method} ${url.pathname}${url.search}`);
      const bearer = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      if (!issued.has(bearer)) return json(res, 401, { error: { code: 401, message: 'Request had invalid authentication credentials.' } });
      const drive = /^\/drive\/v3\/files\/([^/]+)$/.exec(url.pathname);
      const values = /^\/v4\/spreadsheets\/([^/]+)\/values\/(.+)$/.exec(url.pathname);
      const id = decodeURIComponent((drive ?? values)?.[1] ?? '');
      const behaviour = fake.sheets.get(id);
      if (!behaviour) return json(res, 404, { error: { code: 404, message: `File not found: ${id}.` } });
      if (behaviour.kind === 'hang') return undefined;
      if (behaviour.kind === 'status') return json(res, behaviour.status, { error: { code: behaviour.status, message: `status ${behaviour.status}` } });
      if (drive) return json(res, 200, { modifiedTime: behaviour.modifiedTime });
      const range = decodeURIComponent(values?.[2] ?? '');
      const cell = behaviour.cells?.[range];
      return json(res, 200, cell === undefined ? { range, majorDimension: 'ROWS' } : { range, majorDimension: 'ROWS', values: [[cell]] });
    })();
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  fake.baseUrl = `http://127.0.0.1:${port}`;
  fake.tokenUrl = `${fake.baseUrl}/token`;
  fake.close = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return fake;
}
