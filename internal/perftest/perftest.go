// Package perftest helps benchmarks report what a person asks of a request:
// its median and 95th-percentile time, not only the mean.
package perftest

import (
	"slices"
	"testing"
	"time"
)

// ReportPercentiles reports the median and 95th percentile of the
// durations, in milliseconds (nearest rank), as p50-ms and p95-ms.
func ReportPercentiles(b *testing.B, took []time.Duration) {
	if len(took) == 0 {
		return
	}
	slices.Sort(took)
	at := func(p float64) float64 {
		i := int(p*float64(len(took))+0.999999) - 1
		i = min(max(i, 0), len(took)-1)
		return float64(took[i]) / float64(time.Millisecond)
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.95), "p95-ms")
}
