/** A raw HTTP call, for what a typed client would never send. The body is loosely typed on purpose. */
export async function rawRequest(
  url: string,
  method: string,
  body?: string | Buffer,
  contentType = 'application/json',
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
): Promise<{ status: number; body: any }> {
  const response = await fetch(url, {
    method,
    body,
    headers: body === undefined ? {} : { 'content-type': contentType },
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: parsed };
}

/** Awaits a client call that must fail, and answers its status and code. */
export async function failure(call: Promise<unknown>): Promise<{ status: number; code: string }> {
  try {
    await call;
  } catch (error) {
    const { status, code } = error as { status: number; code: string };
    return { status, code };
  }
  throw new Error('the call succeeded');
}
