package update

import (
	"fmt"
	"net"
	"os"
)

// Notify sends a state ("READY=1") to systemd over $NOTIFY_SOCKET; outside
// systemd it does nothing. A few lines instead of a module.
func Notify(state string) error {
	sock := os.Getenv("NOTIFY_SOCKET")
	if sock == "" {
		return nil
	}
	// Go maps a leading '@' to Linux's abstract namespace itself.
	c, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		return fmt.Errorf("sd_notify: %w", err)
	}
	defer c.Close()
	if _, err := c.Write([]byte(state)); err != nil {
		return fmt.Errorf("sd_notify %s: %w", state, err)
	}
	return nil
}
