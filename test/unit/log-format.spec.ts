import { logFormat, shoalLogger } from '../../src/config/log-format.js';
import { loadConfig } from '../../src/config/shoal-config.js';

describe(logFormat.name, () => {
  it('is JSON when stdout is not a terminal and pretty on one, unless SHOAL_LOG_FORMAT says', () => {
    expect(logFormat({}, false)).toBe('json');
    expect(logFormat({}, true)).toBe('pretty');
    expect(logFormat({ SHOAL_LOG_FORMAT: 'pretty' }, false)).toBe('pretty');
    expect(logFormat({ SHOAL_LOG_FORMAT: 'json' }, true)).toBe('json');
  });

  it('is off with SHOAL_LOG=silent, and a bad SHOAL_LOG_FORMAT stops the broker', () => {
    expect(shoalLogger({ SHOAL_LOG: 'silent' }, false)).toBe(false);
    expect(() => loadConfig({ SHOAL_LOG_FORMAT: 'xml' })).toThrow(/SHOAL_LOG_FORMAT/);
  });
});
