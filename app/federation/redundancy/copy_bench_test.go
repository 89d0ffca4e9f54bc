package redundancy

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"cabane.dev/cabane/app/model"
)

// BenchmarkCopyVerified copies a 32 MiB rendition from a loopback origin
// and checks it against segments-sha256.json, the whole path of one
// mirror: MB/s is what mirroring costs this box beside the network.
func BenchmarkCopyVerified(b *testing.B) {
	var total int64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		r := newMirrorRig(b, 0)
		r.o.segment = bytes.Repeat([]byte("0123456789abcdef"), 2<<20) // 32 MiB
		r.configure(model.StrategyMostViews, 1<<30)
		b.StartTimer()
		if err := r.runJobs(); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		ms := r.mirrored()
		if len(ms) != 1 {
			b.Fatalf("not mirrored")
		}
		total += ms[0].Size
		os.RemoveAll(filepath.Join(r.s.Mirror.Dir, r.o.uuid))
		r.st.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(total)/(1<<20)/b.Elapsed().Seconds(), "MiB/s")
}
