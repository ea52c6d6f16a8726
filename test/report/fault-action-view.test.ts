import { describe, expect, it } from 'vitest';
import { actionTiming } from '../../harness/report/fault-action-view.ts';

describe('fault action timing in the report', () => {
  it('shows scheduled vs actual start and how long the action took', () => {
    expect(actionTiming({ t: 12.035, kind: 'fault-start', message: 'x', scheduledSec: 12, actionStartSec: 12.035, actionEndSec: 12.047 })).toEqual({
      scheduled: '12.000 s',
      late: '+35 ms',
      took: '12 ms',
    });
    // A one-off fault's end has no scheduled time; a phase is no action.
    expect(actionTiming({ t: 20, kind: 'fault-end', message: 'x', actionStartSec: 14, actionEndSec: 20 })).toEqual({ scheduled: '', late: '', took: '6000 ms' });
    expect(actionTiming({ t: 0, kind: 'phase', message: 'ramp' })).toEqual({ scheduled: '', late: '', took: '' });
  });
});
