import { parsePgUrl, PrimaryFinder } from '../../src/storage/pg-hosts.js';

describe(parsePgUrl.name, () => {
  it('reads libpq’s multi-host form into one single-host URL per host, read-write implied', () => {
    const target = parsePgUrl('postgres://u:p@h1:5432,h2:5433/db?target_session_attrs=read-write&sslmode=disable');
    expect(target.hosts).toEqual([
      { host: 'h1', port: 5432 },
      { host: 'h2', port: 5433 },
    ]);
    expect(target.urls).toEqual([
      'postgres://u:p@h1:5432/db?sslmode=disable',
      'postgres://u:p@h2:5433/db?sslmode=disable',
    ]);
    expect(target.readWrite).toBe(true);
    expect(parsePgUrl('postgresql://a,b:6000/db').hosts).toEqual([
      { host: 'a', port: 5432 },
      { host: 'b', port: 6000 },
    ]);
    expect(parsePgUrl('postgres://u@[::1]:5432,h2/db').hosts[0]).toEqual({ host: '::1', port: 5432 });
    expect(parsePgUrl('postgres://h1,h2/db?target_session_attrs=any').readWrite).toBe(false);
  });

  it('leaves a single-host URL as it is, read-write only when asked', () => {
    expect(parsePgUrl('postgres://u:p@db:5432/shoal')).toEqual({
      hosts: [{ host: 'db', port: 5432 }],
      urls: ['postgres://u:p@db:5432/shoal'],
      readWrite: false,
    });
    expect(parsePgUrl('postgres://db/shoal?target_session_attrs=read-write')).toMatchObject({
      urls: ['postgres://db/shoal'],
      readWrite: true,
    });
  });
});

describe(PrimaryFinder.name, () => {
  it('sends new connections to the host that worked last, and to the next one after a failure there', () => {
    const finder = new PrimaryFinder(parsePgUrl('postgres://h1:1,h2:2,h3:3/db'));
    expect(finder.next().url).toBe('postgres://h1:1/db');
    finder.failed(0);
    expect(finder.next()).toEqual({ url: 'postgres://h2:2/db', index: 1 });
    finder.failed(0); // a late failure of a connection made before the switch changes nothing
    expect(finder.next().index).toBe(1);
    finder.failed(1);
    finder.failed(2);
    expect(finder.next().index).toBe(0);
  });
});
