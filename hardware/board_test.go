package hardware

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"testing/fstest"
)

func fixtureBoard(t *testing.T, name string) Board {
	t.Helper()
	b, err := DetectBoard(os.DirFS(filepath.Join("testdata", "boards", name)))
	if err != nil {
		t.Fatalf("DetectBoard(%s): %v", name, err)
	}
	return b
}

func TestDetectBoardFixtures(t *testing.T) {
	const kib = 1024
	tests := []struct {
		fixture  string
		kind     Kind
		model    string
		cpu      string
		revision string
		virtual  bool
		cores    int
		memTotal uint64
		render   []RenderNode
		v4l2     []V4L2Device
		thermal  []ThermalZone
	}{
		{
			fixture: "pi4", kind: KindPi4, model: "Raspberry Pi 4 Model B Rev 1.4", revision: "b03114",
			cores: 4, memTotal: 1891548 * kib,
			render:  []RenderNode{{Path: "/dev/dri/renderD128", Driver: "v3d"}},
			v4l2:    []V4L2Device{{Path: "/dev/video11", Name: "bcm2835-codec-encode"}},
			thermal: []ThermalZone{{Zone: "thermal_zone0", Type: "cpu-thermal", MilliCelsius: 51121}},
		},
		{
			fixture: "pi5", kind: KindPi5, model: "Raspberry Pi 5 Model B Rev 1.0", revision: "c04170",
			cores: 4, memTotal: 4146896 * kib,
			render:  []RenderNode{{Path: "/dev/dri/renderD128", Driver: "v3d"}},
			thermal: []ThermalZone{{Zone: "thermal_zone0", Type: "cpu-thermal", MilliCelsius: 55250}},
		},
		{
			fixture: "n100", kind: KindIntel, model: "Beelink EQ12", cpu: "Intel(R) N100",
			cores: 4, memTotal: 16110480 * kib,
			render: []RenderNode{{Path: "/dev/dri/renderD128", Driver: "i915"}},
			thermal: []ThermalZone{
				{Zone: "thermal_zone0", Type: "acpitz", MilliCelsius: 27800},
				{Zone: "thermal_zone1", Type: "INT3400 Thermal", MilliCelsius: 20000},
				{Zone: "thermal_zone2", Type: "TCPU", MilliCelsius: 46050},
				{Zone: "thermal_zone3", Type: "x86_pkg_temp", MilliCelsius: 47000},
			},
		},
		{
			fixture: "x86vm", kind: KindVM, model: "QEMU Standard PC (Q35 + ICH9, 2009)",
			cpu: "Intel Xeon Processor (Cascadelake)", virtual: true, cores: 2, memTotal: 2014548 * kib,
		},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			b := fixtureBoard(t, tt.fixture)
			if b.Kind != tt.kind || b.Model != tt.model || b.CPU != tt.cpu || b.Revision != tt.revision || b.Virtual != tt.virtual {
				t.Errorf("identity = {%s %q %q %q virtual=%v}, want {%s %q %q %q virtual=%v}",
					b.Kind, b.Model, b.CPU, b.Revision, b.Virtual, tt.kind, tt.model, tt.cpu, tt.revision, tt.virtual)
			}
			if b.Cores != tt.cores {
				t.Errorf("Cores = %d, want %d", b.Cores, tt.cores)
			}
			if b.MemTotal != tt.memTotal {
				t.Errorf("MemTotal = %d, want %d", b.MemTotal, tt.memTotal)
			}
			if b.MemAvail == 0 || b.MemAvail >= b.MemTotal {
				t.Errorf("MemAvail = %d, want between 0 and MemTotal %d", b.MemAvail, b.MemTotal)
			}
			if !reflect.DeepEqual(b.RenderNodes, tt.render) {
				t.Errorf("RenderNodes = %+v, want %+v", b.RenderNodes, tt.render)
			}
			if !reflect.DeepEqual(b.V4L2Encoders, tt.v4l2) {
				t.Errorf("V4L2Encoders = %+v, want %+v", b.V4L2Encoders, tt.v4l2)
			}
			if !reflect.DeepEqual(b.Thermal, tt.thermal) {
				t.Errorf("Thermal = %+v, want %+v", b.Thermal, tt.thermal)
			}
			if len(b.NVIDIA.Devices) != 0 || b.NVIDIA.Driver != "" {
				t.Errorf("NVIDIA = %+v, want none", b.NVIDIA)
			}
		})
	}
}

// The device-tree model ends with a NUL byte; it must not leak into Model.
func TestDeviceTreeModelNUL(t *testing.T) {
	raw, err := os.ReadFile("testdata/boards/pi4/proc/device-tree/model")
	if err != nil {
		t.Fatal(err)
	}
	if raw[len(raw)-1] != 0 {
		t.Fatalf("fixture model does not end with NUL: %q", raw)
	}
	if b := fixtureBoard(t, "pi4"); b.Model[len(b.Model)-1] == 0 {
		t.Fatalf("Model keeps the NUL: %q", b.Model)
	}
}

// Without a device tree (some distributions hide it) the cpuinfo Model line
// still identifies a Pi, and "Hardware : BCM2835" alone must not.
func TestDetectBoardCPUInfoFallback(t *testing.T) {
	pi4 := fstest.MapFS{"proc/cpuinfo": {Data: []byte("processor\t: 0\nHardware\t: BCM2835\nRevision\t: c03114\nModel\t\t: Raspberry Pi 4 Model B Rev 1.4\n")}}
	if b, err := DetectBoard(pi4); err != nil || b.Kind != KindPi4 || b.Cores != 1 {
		t.Fatalf("cpuinfo-only Pi 4: %+v, %v", b, err)
	}
	bcm := fstest.MapFS{"proc/cpuinfo": {Data: []byte("processor\t: 0\nHardware\t: BCM2835\n")}}
	if b, _ := DetectBoard(bcm); b.Kind != KindGeneric || b.Model != "BCM2835" {
		t.Fatalf("Hardware-only board: kind %s model %q, want generic BCM2835", b.Kind, b.Model)
	}
}

func TestDetectBoardNVIDIA(t *testing.T) {
	fsys := fstest.MapFS{
		"proc/cpuinfo":                {Data: []byte("processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD Ryzen 5 5600G with Radeon Graphics\n")},
		"dev/nvidia0":                 {},
		"dev/nvidia1":                 {},
		"dev/nvidiactl":               {},
		"dev/nvidia-uvm":              {},
		"dev/nvidia-caps/nvidia-cap1": {},
		"proc/driver/nvidia/version":  {Data: []byte("NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.183.01  Sun May 12 19:39:15 UTC 2024\nGCC version:  gcc version 12.2.0 (Debian 12.2.0-14)\n")},
	}
	b, err := DetectBoard(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if b.Kind != KindAMD {
		t.Errorf("Kind = %s, want amd", b.Kind)
	}
	if want := []string{"/dev/nvidia0", "/dev/nvidia1"}; !reflect.DeepEqual(b.NVIDIA.Devices, want) {
		t.Errorf("NVIDIA.Devices = %v, want %v", b.NVIDIA.Devices, want)
	}
	if want := "NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.183.01  Sun May 12 19:39:15 UTC 2024"; b.NVIDIA.Driver != want {
		t.Errorf("NVIDIA.Driver = %q, want %q", b.NVIDIA.Driver, want)
	}
}

func TestParseCPUList(t *testing.T) {
	for in, want := range map[string]int{"0-3\n": 4, "0": 1, "0-1,4-5,7": 5, "": 0, "x": 0} {
		if got := parseCPUList(in); got != want {
			t.Errorf("parseCPUList(%q) = %d, want %d", in, got, want)
		}
	}
}
