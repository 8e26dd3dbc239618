import { connect } from 'node:net';

/** Sends `request` as it is over a new TCP connection and answers the status and the JSON body. */
export function rawHttp(url: string, request: string): Promise<{ status: number; body: unknown }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(request));
    let data = '';
    socket.on('data', (chunk) => (data += chunk.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0);
      const text = data.slice(data.indexOf('\r\n\r\n') + 4);
      try {
        resolve({ status, body: JSON.parse(text) });
      } catch {
        reject(new Error(`not a JSON answer: ${data.slice(0, 300)}`));
      }
    });
    socket.setTimeout(5_000, () => socket.destroy());
  });
}
