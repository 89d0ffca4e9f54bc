package hardware

// hardwareOrder is Select's preference among hardware encoders that passed
// their trial: a discrete NVIDIA card first, then Intel's QSV (better
// quality per watt than VA-API on the same GPU), VA-API, and the Pi's
// V4L2 block last (fixed quality, 1080p cap).
func hardwareOrder() []Encoder {
	return []Encoder{NVENC{}, QSV{}, VAAPI{}, V4L2M2M{}}
}

// EncoderByName returns the backend of an ffmpeg encoder name.
func EncoderByName(name string) (Encoder, bool) {
	if name == (Libx264{}).Name() {
		return Libx264{}, true
	}
	for _, e := range hardwareOrder() {
		if e.Name() == name {
			return e, true
		}
	}
	return nil, false
}

// Select picks the encoder to use: the admin's choice if it passed its
// trial, else the first working hardware encoder, else libx264, which
// always works.
func Select(choice string, working []string) Encoder {
	works := func(name string) bool {
		for _, w := range working {
			if w == name {
				return true
			}
		}
		return false
	}
	if choice == (Libx264{}).Name() {
		return Libx264{}
	}
	if e, ok := EncoderByName(choice); ok && works(choice) {
		return e
	}
	for _, e := range hardwareOrder() {
		if works(e.Name()) {
			return e
		}
	}
	return Libx264{}
}
