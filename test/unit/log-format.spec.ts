import { logFormat, shoalLogger } from '../../src/config/log-format.js';
import { loadConfig, loggerLevels } from '../../src/config/shoal-config.js';

describe(logFormat.name, () => {
  it('is JSON when stdout is not a terminal and pretty on one, unless SHOAL_LOG_FORMAT says', () => {
    expect(logFormat({}, false)).toBe('json');
    expect(logFormat({}, true)).toBe('pretty');
    expect(logFormat({ SHOAL_LOG_FORMAT: 'pretty' }, false)).toBe('pretty');
    expect(logFormat({ SHOAL_LOG_FORMAT: 'json' }, true)).toBe('json');
  });

  it('is off with SHOAL_LOG=silent, errors only with SHOAL_LOG=error, and a bad SHOAL_LOG_FORMAT stops the broker', () => {
    expect(shoalLogger({ SHOAL_LOG: 'silent' }, false)).toBe(false);
    expect(loggerLevels({ SHOAL_LOG: 'error' })).toEqual(['error']);
    expect(loggerLevels({})).toEqual(['log', 'warn', 'error']);
    expect(() => loadConfig({ SHOAL_LOG: 'warn' })).toThrow(/SHOAL_LOG/);
    expect(() => loadConfig({ SHOAL_LOG_FORMAT: 'xml' })).toThrow(/SHOAL_LOG_FORMAT/);
  });
});
