// Package firstboot applies cabane.txt, the settings file a creator may put
// on the SD card's FAT partition before the first boot: Wi-Fi, host name,
// public URL, time zone and SSH keys. It parses the file (written on any
// computer: CRLF, a UTF-8 BOM, Latin-1 accents are all fine), writes the
// system files under a root directory, rewrites the card's copy so that
// applied lines become comments and secrets leave the card, and records the
// outcome in the data directory for the setup page.
//
// A bad line never stops the box from booting: it is reported, left on the
// card with an "# error:" comment above it, and the other lines apply.
//
// An example:
//
//	# Cabane settings, applied at the next boot.
//	wifi_ssid = Maison
//	wifi_password = correct horse battery staple
//	wifi_country = FR
//	hostname = studio
//	timezone = Europe/Paris
//	public_url = https://video.example.org
//	ssh_key = ssh-ed25519 AAAAC3Nza... me@laptop
package firstboot
