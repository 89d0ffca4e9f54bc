package browser

import (
	"context"
	"testing"
	"time"
)

// TestBandwidthStartLevel runs bandwidth.test.mjs in Chromium: player.js
// starts hls.js at the highest rendition within the page's
// data-max-bitrate (the box's upload share for a viewer outside the home
// network), the lowest when none fits, and caps adaptation while the box
// is saturated. The page's value itself is tested in app/web.
func TestBandwidthStartLevel(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	runNodeTests(ctx, t, "bandwidth.test.mjs")
}
