package hardware

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
)

// Kind is the family of board Cabane runs on. The ladder policy and the
// doctor report key on it; the encoder choice does not (trial encodes decide).
type Kind string

const (
	KindPi4     Kind = "pi4"     // BCM2711: Pi 4, Pi 400, CM4 — has h264_v4l2m2m
	KindPi5     Kind = "pi5"     // BCM2712: Pi 5, Pi 500, CM5 — no H.264 encoder block
	KindPi      Kind = "pi"      // an older Raspberry Pi (3, Zero 2 ...)
	KindIntel   Kind = "intel"   // Intel x86 on bare metal (NAS, mini PC)
	KindAMD     Kind = "amd"     // AMD x86 on bare metal
	KindVM      Kind = "vm"      // a virtual machine: no encoder unless passed through
	KindGeneric Kind = "generic" // anything else (other ARM boards, unknown x86)
)

// Board is what the machine is, read from /proc, /sys and /dev.
type Board struct {
	Kind     Kind
	Model    string // "Raspberry Pi 4 Model B Rev 1.4", "Beelink EQ12", ...
	CPU      string // "Intel(R) N100"; empty on ARM, whose cpuinfo has no model name
	Revision string // Raspberry Pi revision code, e.g. "b03114"
	Virtual  bool
	Cores    int
	MemTotal uint64 // bytes
	MemAvail uint64 // bytes, MemAvailable at detection time

	RenderNodes  []RenderNode // /dev/dri/renderD*
	V4L2Encoders []V4L2Device // memory-to-memory H.264 encoders
	NVIDIA       NVIDIA
	Thermal      []ThermalZone
}

// RenderNode is a DRM render node and the kernel driver behind it. The driver
// tells a VAAPI-capable GPU (i915, xe, amdgpu) from the Pi's 3D-only v3d.
type RenderNode struct {
	Path   string // "/dev/dri/renderD128"
	Driver string // "i915", "amdgpu", "v3d", ... ; empty when unknown
}

// V4L2Device is a video4linux node, e.g. /dev/video11 "bcm2835-codec-encode".
type V4L2Device struct {
	Path string
	Name string
}

// NVIDIA describes the proprietary driver's device nodes, if any.
type NVIDIA struct {
	Devices []string // "/dev/nvidia0", ...
	Driver  string   // first line of /proc/driver/nvidia/version
}

// ThermalZone is one /sys/class/thermal zone's reading.
type ThermalZone struct {
	Zone         string // "thermal_zone0"
	Type         string // "cpu-thermal", "x86_pkg_temp", ...
	MilliCelsius int
}

// DetectBoard reads the board from fsys, which is os.DirFS("/") in
// production and a fixture directory in tests. Missing files are normal (a
// VM has no thermal zones, a Pi no DMI) and leave fields empty; only
// unexpected read errors are returned, alongside everything that was read.
func DetectBoard(fsys fs.FS) (Board, error) {
	var b Board
	var errs []error
	read := func(name string) string {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, fmt.Errorf("read /%s: %w", name, err))
			}
			return ""
		}
		return string(data)
	}

	cpu := parseCPUInfo(read("proc/cpuinfo"))
	b.Cores = cpu.processors
	if b.Cores == 0 {
		b.Cores = parseCPUList(read("sys/devices/system/cpu/online"))
	}
	b.CPU = cpu.modelName
	b.Revision = cpu.revision
	b.MemTotal, b.MemAvail = parseMemInfo(read("proc/meminfo"))

	// The device tree's model string is NUL-terminated; cpuinfo's "Model"
	// line is the same string on Raspberry Pi kernels.
	dtModel := strings.TrimSpace(strings.TrimRight(read("proc/device-tree/model"), "\x00"))
	vendor := dmiValue(read("sys/class/dmi/id/sys_vendor"))
	product := dmiValue(read("sys/class/dmi/id/product_name"))
	switch {
	case dtModel != "":
		b.Model = dtModel
	case cpu.model != "":
		b.Model = cpu.model
	case product != "":
		b.Model = strings.TrimSpace(vendor + " " + product)
	default:
		b.Model = cpu.modelName
	}
	if b.Model == "" {
		b.Model = cpu.hardware
	}
	b.Virtual = cpu.hypervisor || isVirtualDMI(vendor, product)
	b.Kind = boardKind(b.Model, cpu.vendorID, b.Virtual)

	nodes, err := renderNodes(fsys)
	if err != nil {
		errs = append(errs, err)
	}
	b.RenderNodes = nodes
	encs, err := v4l2Encoders(fsys)
	if err != nil {
		errs = append(errs, err)
	}
	b.V4L2Encoders = encs
	b.NVIDIA, err = nvidiaDevices(fsys)
	if err != nil {
		errs = append(errs, err)
	}
	b.Thermal, err = thermalZones(fsys)
	if err != nil {
		errs = append(errs, err)
	}
	return b, errors.Join(errs...)
}

// boardKind classifies from the model string first: on a Pi it is exact,
// while cpuinfo's "Hardware : BCM2835" is the same on every Pi generation.
func boardKind(model, vendorID string, virtual bool) Kind {
	switch {
	case strings.HasPrefix(model, "Raspberry Pi 4"),
		strings.HasPrefix(model, "Raspberry Pi 400"),
		strings.HasPrefix(model, "Raspberry Pi Compute Module 4"):
		return KindPi4
	case strings.HasPrefix(model, "Raspberry Pi 5"),
		strings.HasPrefix(model, "Raspberry Pi 500"),
		strings.HasPrefix(model, "Raspberry Pi Compute Module 5"):
		return KindPi5
	case strings.HasPrefix(model, "Raspberry Pi"):
		return KindPi
	case virtual:
		return KindVM
	case vendorID == "GenuineIntel":
		return KindIntel
	case vendorID == "AuthenticAMD":
		return KindAMD
	}
	return KindGeneric
}

// dmiValue drops the placeholders firmware vendors leave in DMI fields.
func dmiValue(s string) string {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "to be filled by o.e.m.", "default string", "system product name", "not applicable", "none":
		return ""
	}
	return s
}

func isVirtualDMI(vendor, product string) bool {
	v := strings.ToLower(vendor + " " + product)
	for _, h := range []string{"qemu", "kvm", "vmware", "virtualbox", "innotek", "xen", "bochs", "microsoft corporation virtual", "parallels"} {
		if strings.Contains(v, h) {
			return true
		}
	}
	return false
}

// MemTotalMiB is MemTotal in MiB, the unit the policy reasons in.
func (b Board) MemTotalMiB() int { return int(b.MemTotal >> 20) }
