// The broker's first import (src/main.ts): V8's tiering is set before any other module runs.
import { tuneTiering } from './platform/v8-tiering.js';

tuneTiering();
