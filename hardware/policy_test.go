package hardware

import (
	"reflect"
	"strings"
	"testing"
)

func TestDefaultPolicyPerBoard(t *testing.T) {
	tests := []struct {
		name       string
		board      Board
		enc        Encoder
		heights    []int
		perProcess int
		threads    int
		preset     string
		lookahead  int
		preferCopy bool
		maxHeight  int
		reasons    []string // substrings some reason must contain
	}{
		{
			name: "pi4 with v4l2m2m", board: fixtureBoard(t, "pi4"), enc: V4L2M2M{},
			heights: []int{1080, 720, 480, 360}, perProcess: 4, threads: 4,
			maxHeight: 1080, reasons: []string{"hardware block", "at most 1080p", "20 Mb/s"},
		},
		{
			name: "pi4 2GB without encoder", board: fixtureBoard(t, "pi4"), enc: Libx264{},
			heights: []int{720, 360}, perProcess: 2, threads: 2, preset: "veryfast", lookahead: 20, preferCopy: true,
			maxHeight: 720, reasons: []string{"720p and 360p only", "1050 MB", "1847 MiB"},
		},
		{
			name: "pi5 4GB software", board: fixtureBoard(t, "pi5"), enc: Libx264{},
			heights: []int{720, 360}, perProcess: 2, threads: 4, preset: "veryfast", preferCopy: true,
			maxHeight: 720, reasons: []string{"Raspberry Pi 5 Model B Rev 1.0 without a hardware encoder", "copy"},
		},
		{
			name: "n100 NAS with vaapi", board: fixtureBoard(t, "n100"), enc: VAAPI{},
			heights: []int{1080, 720, 480, 360}, perProcess: 4, threads: 4,
			reasons: []string{"h264_vaapi encodes on the hardware block"},
		},
		{
			name: "n100 NAS software", board: fixtureBoard(t, "n100"), enc: Libx264{},
			heights: []int{1080, 720, 480, 360}, perProcess: 4, threads: 4, preset: "veryfast",
			reasons: []string{"one process for all 4 renditions", "4 cores: full ladder"},
		},
		{
			name: "x86 VM 2 cores 2GB", board: fixtureBoard(t, "x86vm"), enc: Libx264{},
			heights: []int{720, 480, 360}, perProcess: 2, threads: 2, preset: "veryfast", lookahead: 20, preferCopy: true,
			maxHeight: 720, reasons: []string{"110 CPU-s per 60 s", "slower than real time"},
		},
		{
			name: "1GB board software", board: Board{Kind: KindGeneric, Cores: 4, MemTotal: 1 << 30}, enc: Libx264{},
			heights: []int{1080, 720, 480, 360}, perProcess: 1, threads: 2, preset: "veryfast", lookahead: 10,
			reasons: []string{"one rendition per process", "584 MB"},
		},
		{
			name: "1GB board hardware", board: Board{Kind: KindPi4, Cores: 4, MemTotal: 1 << 30}, enc: V4L2M2M{},
			heights: []int{1080, 720, 480, 360}, perProcess: 2, threads: 4,
			maxHeight: 1080, reasons: []string{"at most 2 renditions per process"},
		},
		{
			name: "big NVIDIA box", board: Board{Kind: KindAMD, Cores: 32, MemTotal: 64 << 30}, enc: NVENC{},
			heights: []int{1080, 720, 480, 360}, perProcess: 4, threads: 16,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := DefaultPolicy(tt.board, tt.enc)
			if p.Encoder != tt.enc.Name() {
				t.Errorf("Encoder = %s", p.Encoder)
			}
			if !reflect.DeepEqual(p.Heights, tt.heights) || p.MaxPerProcess != tt.perProcess || p.Threads != tt.threads {
				t.Errorf("heights %v per-process %d threads %d, want %v %d %d", p.Heights, p.MaxPerProcess, p.Threads, tt.heights, tt.perProcess, tt.threads)
			}
			if p.MaxHeight != tt.maxHeight {
				t.Errorf("MaxHeight = %d, want %d", p.MaxHeight, tt.maxHeight)
			}
			if p.X264Preset != tt.preset || p.X264RCLookahead != tt.lookahead || p.PreferCopy != tt.preferCopy {
				t.Errorf("preset %q lookahead %d copy %v, want %q %d %v", p.X264Preset, p.X264RCLookahead, p.PreferCopy, tt.preset, tt.lookahead, tt.preferCopy)
			}
			all := strings.Join(p.Reasons, "\n")
			for _, want := range tt.reasons {
				if !strings.Contains(all, want) {
					t.Errorf("no reason mentions %q:\n%s", want, all)
				}
			}
		})
	}
}

func TestPolicyConfigure(t *testing.T) {
	p := LadderPolicy{X264Preset: "veryfast", X264RCLookahead: 10}
	if got := p.Configure(Libx264{}); got != (Libx264{Preset: "veryfast", RCLookahead: 10}) {
		t.Errorf("Configure(libx264) = %+v", got)
	}
	if got := p.Configure(VAAPI{LowPower: true}); got != (VAAPI{LowPower: true}) {
		t.Errorf("Configure(vaapi) = %+v, want it untouched", got)
	}
}
