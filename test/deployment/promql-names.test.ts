import { expect } from 'chai';
import { metricNamesIn, metricNamesOf } from './promql-names.ts';

describe('promql-names', () => {
  describe('metricNamesIn', () => {
    it('finds the selected metrics, not functions, aggregations, label names or values', () => {
      expect(
        metricNamesIn(
          'sum by (result, instance) (rate(warren_chat_api_posts_total{result="ok", job=~"a|b"}[$__rate_interval]))',
        ),
      ).to.deep.equal(['warren_chat_api_posts_total']);
      expect(
        metricNamesIn('sum(rate(a_sum[1m])) / sum without (le) (rate(a_count[5m] offset 1h)) > bool 1e3'),
      ).to.deep.equal(['a_sum', 'a_count']);
      expect(metricNamesIn('up{job="x"} == 0')).to.deep.equal(['up']);
      expect(metricNamesIn('max(delta(q{queue="warren.dead-letter"}[15m])) > 0 and on (job) other')).to.deep.equal([
        'q',
        'other',
      ]);
    });
  });

  describe('metricNamesOf', () => {
    it('reads the TYPE lines, with the series of histograms and summaries', () => {
      const text = [
        '# HELP a_total A counter',
        '# TYPE a_total counter',
        'a_total{service="x"} 1',
        '# TYPE b histogram',
        'b_bucket{le="1"} 0',
        '# TYPE c summary',
        '# TYPE d gauge',
      ].join('\n');
      expect(metricNamesOf(text)).to.deep.equal([
        'a_total',
        'b',
        'b_bucket',
        'b_sum',
        'b_count',
        'c',
        'c_sum',
        'c_count',
        'd',
      ]);
    });
  });
});
