import pg from 'pg';

/** One host of a `DATABASE_URL`. */
export interface PgHost {
  host: string;
  port: number;
}

/** A `DATABASE_URL` split the way libpq reads it: several hosts, one set of credentials. */
export interface PgTarget {
  hosts: PgHost[];
  /** One single-host URL per host (node-postgres reads only those), in the same order. */
  urls: string[];
  /** True when only a read-write session will do (`target_session_attrs=read-write`, or several hosts). */
  readWrite: boolean;
}

/**
 * Parses libpq's URL forms, including the multi-host one
 * (`postgres://u:p@h1:5432,h2:5433/db?target_session_attrs=read-write`), which node-postgres
 * does not read. Several hosts imply read-write unless `target_session_attrs=any` says otherwise.
 */
export function parsePgUrl(url: string): PgTarget {
  const match = /^(postgres(?:ql)?:\/\/)(?:([^@/]*)@)?([^/?]*)(.*)$/.exec(url);
  if (!match) return { hosts: [], urls: [url], readWrite: false };
  const [, scheme, userinfo, hostList, rawRest] = match;
  const attrs = /[?&]target_session_attrs=([^&]*)/.exec(rawRest)?.[1];
  // node-postgres does not know the parameter: it is read here and left out of what pg sees.
  const rest = rawRest.replace(/([?&])target_session_attrs=[^&]*&?/, '$1').replace(/[?&]$/, '');
  const specs = hostList.split(',').filter((h) => h.length > 0);
  const hosts = specs.map(hostOf);
  const urls = specs.map((spec) => `${scheme}${userinfo === undefined ? '' : `${userinfo}@`}${spec}${rest}`);
  const readWrite = attrs === 'read-write' || attrs === 'primary' || (hosts.length > 1 && attrs !== 'any');
  return { hosts, urls: urls.length > 0 ? urls : [url], readWrite };
}

function hostOf(spec: string): PgHost {
  const colon = spec.lastIndexOf(':');
  if (colon > 0 && (!spec.startsWith('[') || spec.lastIndexOf(']') < colon))
    return { host: unbracket(spec.slice(0, colon)), port: Number(spec.slice(colon + 1)) };
  return { host: unbracket(spec), port: 5432 };
}

function unbracket(host: string): string {
  return decodeURIComponent(host.replace(/^\[(.*)\]$/, '$1'));
}

/** The error a session that landed on a standby is dropped with: PostgreSQL's read_only_sql_transaction. */
export class ReadOnlySessionError extends Error {
  readonly code = '25006';

  constructor(host: PgHost) {
    super(`${host.host}:${host.port} is read-only (a standby): looking for the primary`);
  }
}

/**
 * Which host of a multi-host target new connections go to: the one that last gave a read-write
 * session. A host that refuses a connection, or answers as a standby, passes the turn to the
 * next one, so after a failover the brokers find the promoted primary by themselves. Each
 * failed connection fails its own request (503 STORAGE_UNAVAILABLE); the next one tries the
 * next host.
 */
export class PrimaryFinder {
  private current = 0;

  constructor(readonly target: PgTarget) {}

  /** The config of a connection to the current host. */
  next(): { url: string; index: number } {
    const index = this.current;
    return { url: this.target.urls[index] ?? this.target.urls[0], index };
  }

  /** The connection to host `index` failed or was read-only: the next connection tries another. */
  failed(index: number): void {
    if (index === this.current && this.target.hosts.length > 1)
      this.current = (this.current + 1) % this.target.hosts.length;
  }

  /** A node-postgres client that connects to the current host and accepts only what the target asks for. */
  clientClass(): typeof pg.Client {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const finder = this;
    class PrimaryClient extends pg.Client {
      private readonly hostIndex: number;

      constructor(options: pg.ClientConfig = {}) {
        const { url, index } = finder.next();
        // The pool passes its own options (the multi-host URL among them): the host chosen here wins.
        super({ ...options, connectionString: url });
        this.hostIndex = index;
      }

      override connect(): Promise<pg.Client>;
      override connect(callback: (err: Error) => void): void;
      override connect(callback?: (err: Error) => void): Promise<pg.Client> | void {
        // pg's pool listens for a client's errors only from its connect callback on. A server
        // that goes away during the read-write check below (a failover) ends the connection,
        // and pg emits 'error' besides failing the check's query: with no listener that would
        // end the process. The failed check reports it; this listener only keeps it handled
        // until the pool's own is attached (in the callback).
        const meanwhile = () => undefined;
        this.on('error', meanwhile);
        const connected = this.connectChecked();
        const handedOver = callback ? connected.then(() => callback(null as unknown as Error), callback) : connected;
        const forget = () => void this.removeListener('error', meanwhile);
        void handedOver.then(forget, forget);
        if (!callback) return connected;
      }

      private async connectChecked(): Promise<pg.Client> {
        try {
          await super.connect();
          if (!finder.target.readWrite) return this;
          const result = await this.query<{ transaction_read_only: string }>('SHOW transaction_read_only');
          if (result.rows[0]?.transaction_read_only === 'on') {
            await this.end().catch(() => undefined);
            throw new ReadOnlySessionError(finder.target.hosts[this.hostIndex] ?? { host: '?', port: 0 });
          }
          return this;
        } catch (error) {
          finder.failed(this.hostIndex);
          throw error;
        }
      }
    }
    return PrimaryClient as unknown as typeof pg.Client;
  }
}

const finders = new Map<string, PrimaryFinder>();

/** The one finder of a URL in this process: the pool, the change relay and the exporter lease follow the same primary. */
export function primaryFinder(url: string): PrimaryFinder {
  let finder = finders.get(url);
  if (!finder) {
    finder = new PrimaryFinder(parsePgUrl(url));
    finders.set(url, finder);
  }
  return finder;
}

/** A client on its own (not pooled) to the primary of `url`. */
export function primaryClient(url: string): pg.Client {
  const Client = primaryFinder(url).clientClass();
  return new Client();
}
