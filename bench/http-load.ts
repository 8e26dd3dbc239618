import http from 'node:http';

/**
 * A lean load generator: node:http with keep-alive and pre-serialized bodies. The bench uses
 * it for throughput, because the fetch-based libs/client spends ~0.7 ms of CPU per request
 * here, and on 2 cores that caps the client before the broker (its own figure is printed too).
 */
export class HttpLoad {
  private readonly agent: http.Agent;
  private readonly host: string;
  private readonly port: number;

  constructor(brokerUrl: string, sockets = 64) {
    const url = new URL(brokerUrl);
    this.host = url.hostname;
    this.port = Number(url.port);
    this.agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  }

  request(method: string, path: string, body?: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const headers: http.OutgoingHttpHeaders =
        body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
      const req = http.request(
        { host: this.host, port: this.port, path, method, agent: this.agent, headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            if ((res.statusCode ?? 500) >= 400) reject(new Error(`${res.statusCode}: ${text}`));
            else resolve(text);
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
