package firstboot

import (
	"crypto/pbkdf2"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"strings"
)

// PSK derives the WPA pre-shared key from a passphrase as wpa_passphrase
// does (PBKDF2-SHA1, the SSID as salt, 4096 rounds, 32 bytes), so the
// passphrase itself is written nowhere. A 64-hex-digit value is a PSK
// already and is returned as it is.
func PSK(passphrase, ssid string) (string, error) {
	if len(passphrase) == 64 && isHex(passphrase) {
		return strings.ToLower(passphrase), nil
	}
	k, err := pbkdf2.Key(sha1.New, passphrase, []byte(ssid), 4096, 32)
	if err != nil {
		return "", fmt.Errorf("derive PSK: %w", err)
	}
	return hex.EncodeToString(k), nil
}

// wpaConfig is wpa_supplicant-wlan0.conf for one network.
func wpaConfig(s Settings) (string, error) {
	var b strings.Builder
	b.WriteString("# Written by cabane firstboot from cabane.txt. The Wi-Fi password is not\n")
	b.WriteString("# stored: psk is derived from it (wpa_passphrase).\n")
	b.WriteString("ctrl_interface=DIR=/run/wpa_supplicant GROUP=netdev\n")
	b.WriteString("update_config=1\n")
	fmt.Fprintf(&b, "country=%s\n\nnetwork={\n", s.WiFiCountry)
	fmt.Fprintf(&b, "\tssid=%s\n", wpaSSID(s.WiFiSSID))
	b.WriteString("\tscan_ssid=1\n") // hidden networks too
	if s.WiFiPassword == "" {
		b.WriteString("\tkey_mgmt=NONE\n")
	} else {
		psk, err := PSK(s.WiFiPassword, s.WiFiSSID)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "\tpsk=%s\n", psk)
	}
	b.WriteString("}\n")
	return b.String(), nil
}

// wpaSSID quotes a plain SSID and writes any other (quotes, backslashes,
// non-ASCII) as hex, which wpa_supplicant reads without escaping rules.
func wpaSSID(ssid string) string {
	for i := 0; i < len(ssid); i++ {
		if c := ssid[i]; c < 0x20 || c > 0x7E || c == '"' || c == '\\' {
			return hex.EncodeToString([]byte(ssid))
		}
	}
	return `"` + ssid + `"`
}
