package hardware

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// readDir lists a directory, treating a missing one as empty: most boards
// lack most of these directories.
func readDir(fsys fs.FS, dir string) ([]fs.DirEntry, error) {
	ents, err := fs.ReadDir(fsys, dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("list /%s: %w", dir, err)
	}
	return ents, nil
}

// readTrimmed reads a small sysfs attribute; a missing one is "".
func readTrimmed(fsys fs.FS, name string) string {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(data))
}

// renderNodes lists /dev/dri/renderD* (in fixtures an empty file stands for
// the device node) with the driver named in the node's sysfs uevent.
func renderNodes(fsys fs.FS) ([]RenderNode, error) {
	ents, err := readDir(fsys, "dev/dri")
	var nodes []RenderNode
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), "renderD") {
			continue
		}
		n := RenderNode{Path: "/dev/dri/" + e.Name()}
		uevent := readTrimmed(fsys, path.Join("sys/class/drm", e.Name(), "device/uevent"))
		for _, line := range strings.Split(uevent, "\n") {
			if v, ok := strings.CutPrefix(line, "DRIVER="); ok {
				n.Driver = v
			}
		}
		nodes = append(nodes, n)
	}
	sort.Slice(nodes, func(i, j int) bool { return nodeNumber(nodes[i].Path) < nodeNumber(nodes[j].Path) })
	return nodes, err
}

// nodeNumber orders renderD128 before renderD129 and video2 before video10.
func nodeNumber(p string) int {
	base := path.Base(p)
	i := len(base)
	for i > 0 && base[i-1] >= '0' && base[i-1] <= '9' {
		i--
	}
	n, _ := strconv.Atoi(base[i:])
	return n
}

// v4l2Encoders lists video4linux nodes whose driver name marks a stateful
// H.264 encoder. The kernel does not say "H.264 encoder" in sysfs (only an
// ioctl would), so names decide: the Pi's "bcm2835-codec-encode", and the
// "-enc"/"-encoder"/"venc" names of other SoCs. JPEG encoders
// ("bcm2835-codec-encode_image") are not video encoders.
func v4l2Encoders(fsys fs.FS) ([]V4L2Device, error) {
	ents, err := readDir(fsys, "sys/class/video4linux")
	var devs []V4L2Device
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), "video") {
			continue
		}
		name := readTrimmed(fsys, path.Join("sys/class/video4linux", e.Name(), "name"))
		if isV4L2Encoder(name) {
			devs = append(devs, V4L2Device{Path: "/dev/" + e.Name(), Name: name})
		}
	}
	sort.Slice(devs, func(i, j int) bool { return nodeNumber(devs[i].Path) < nodeNumber(devs[j].Path) })
	return devs, err
}

func isV4L2Encoder(name string) bool {
	n := strings.ToLower(name)
	if strings.Contains(n, "image") || strings.Contains(n, "jpeg") || strings.Contains(n, "jpg") {
		return false
	}
	return strings.HasSuffix(n, "-encode") || strings.HasSuffix(n, "-enc") ||
		strings.HasSuffix(n, "-encoder") || strings.Contains(n, "venc")
}

// nvidiaDevices lists /dev/nvidia<N> (not nvidiactl, nvidia-uvm ...) and the
// driver's version line.
func nvidiaDevices(fsys fs.FS) (NVIDIA, error) {
	var nv NVIDIA
	ents, err := readDir(fsys, "dev")
	for _, e := range ents {
		rest, ok := strings.CutPrefix(e.Name(), "nvidia")
		if !ok || rest == "" {
			continue
		}
		if _, convErr := strconv.Atoi(rest); convErr == nil {
			nv.Devices = append(nv.Devices, "/dev/"+e.Name())
		}
	}
	sort.Slice(nv.Devices, func(i, j int) bool { return nodeNumber(nv.Devices[i]) < nodeNumber(nv.Devices[j]) })
	version := readTrimmed(fsys, "proc/driver/nvidia/version")
	nv.Driver, _, _ = strings.Cut(version, "\n")
	return nv, err
}

// thermalZones reads every zone's type and temperature. A zone whose temp
// cannot be read (some ACPI zones return EIO) is kept with 0.
func thermalZones(fsys fs.FS) ([]ThermalZone, error) {
	ents, err := readDir(fsys, "sys/class/thermal")
	var zones []ThermalZone
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), "thermal_zone") {
			continue
		}
		dir := path.Join("sys/class/thermal", e.Name())
		z := ThermalZone{Zone: e.Name(), Type: readTrimmed(fsys, dir+"/type")}
		z.MilliCelsius, _ = strconv.Atoi(readTrimmed(fsys, dir+"/temp"))
		zones = append(zones, z)
	}
	sort.Slice(zones, func(i, j int) bool { return nodeNumber(zones[i].Zone) < nodeNumber(zones[j].Zone) })
	return zones, err
}
