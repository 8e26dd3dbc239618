/** The broker's HTTP API, with the API key (if any) as a bearer token; a 401 asks for a key. */

const KEY = 'shoal.apiKey';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

function askForKey(): Promise<string | null> {
  const dialog = document.getElementById('auth') as HTMLDialogElement;
  const input = dialog.querySelector('input') as HTMLInputElement;
  input.value = '';
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(input.value || null), { once: true });
    dialog.showModal();
  });
}

/** Sends a request to the broker; the base is the console's own origin. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const key = localStorage.getItem(KEY);
    const headers: Record<string, string> = {};
    if (key) headers.authorization = `Bearer ${key}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 401) {
      const given = await askForKey();
      if (given === null) break;
      localStorage.setItem(KEY, given);
      continue;
    }
    const text = await response.text();
    const parsed = text ? JSON.parse(text) : undefined;
    if (!response.ok)
      throw new ApiError(response.status, parsed?.error?.code ?? 'ERROR', parsed?.error?.message ?? text);
    return parsed as T;
  }
  throw new ApiError(401, 'UNAUTHENTICATED', 'an API key is needed');
}

export const enc = encodeURIComponent;
