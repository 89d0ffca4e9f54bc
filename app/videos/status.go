package videos

import (
	"time"

	"cabane.dev/cabane/hardware"
)

// TranscodingStatus is what the admin page shows about how this box
// encodes. It lives here, beside Transcoding, so that both the wiring in
// app (which fills it) and the web pages (which show it) can name it.
type TranscodingStatus struct {
	Board    hardware.Board
	Probe    hardware.ProbeResult
	Probed   bool   // false until the trial encodes have run (libx264 meanwhile)
	Choice   string // the admin's choice; "" is automatic
	Encoder  string // the encoder jobs use now
	Hardware bool
	Policy   hardware.LadderPolicy
	Failures []EncoderFailure // newest last
}

// EncoderFailure is a hardware encoder failing on a real job.
type EncoderFailure struct {
	Encoder string
	Error   string
	At      time.Time
}
