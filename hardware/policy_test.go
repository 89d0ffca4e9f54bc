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
		reasons    []string // substrings some reason must contain
	}{
		{
			name: "pi4 with v4l2m2m", board: fixtureBoard(t, "pi4"), enc: V4L2M2M{},
			heights: []int{1080, 720, 480, 360}, perProcess: 4, threads: 4,
			reasons: []string{"hardware block", "at most 1080p", "20 Mb/s"},
		},
		{
			name: "pi4 2GB without encoder", board: fixtureBoard(t, "pi4"), enc: Libx264{},
			heights: []int{720, 360}, perProcess: 2, threads: 2, preset: "veryfast", lookahead: 20, preferCopy: true,
			reasons: []string{"720p and 360p only", "1050 MB", "1847 MiB"},
		},
		{
			name: "pi5 4GB software", board: fixtureBoard(t, "pi5"), enc: Libx264{},
			heights: []int{720, 360}, perProcess: 2, threads: 4, preset: "veryfast", preferCopy: true,
			reasons: []string{"Raspberry Pi 5 Model B Rev 1.0 without a hardware encoder", "copy"},
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
			reasons: []string{"110 CPU-s per 60 s", "slower than real time"},
		},
		{
			name: "1GB board software", board: Board{Kind: KindGeneric, Cores: 4, MemTotal: 1 << 30}, enc: Libx264{},
			heights: []int{1080, 720, 480, 360}, perProcess: 1, threads: 2, preset: "veryfast", lookahead: 10,
			reasons: []string{"one rendition per process", "584 MB"},
		},
		{
			name: "1GB board hardware", board: Board{Kind: KindPi4, Cores: 4, MemTotal: 1 << 30}, enc: V4L2M2M{},
			heights: []int{1080, 720, 480, 360}, perProcess: 2, threads: 4,
			reasons: []string{"at most 2 renditions per process"},
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

func TestPolicyPlan(t *testing.T) {
	p := LadderPolicy{Heights: []int{720, 360}, MaxPerProcess: 1}
	groups := p.Plan(ladder1080().Renditions)
	if len(groups) != 2 || groups[0][0].Name != "720p" || groups[1][0].Name != "360p" {
		t.Fatalf("Plan = %+v", groups)
	}
	p = LadderPolicy{Heights: fullLadder(), MaxPerProcess: 4}
	if groups := p.Plan(ladder1080().Renditions); len(groups) != 1 || len(groups[0]) != 4 {
		t.Fatalf("full ladder should be one process: %+v", groups)
	}
	p.MaxPerProcess = 3
	groups = p.Plan(ladder1080().Renditions)
	if len(groups) != 2 || len(groups[0]) != 3 || len(groups[1]) != 1 {
		t.Fatalf("3 per process: %+v", groups)
	}
	// Groups must not alias: appending to one cannot overwrite the next.
	groups[0] = append(groups[0], Rendition{Name: "x"})
	if groups[1][0].Name != "360p" {
		t.Fatal("groups share a backing array")
	}
}
