// Package discovery announces Cabane on the local network with multicast DNS
// (DNS-SD over mDNS, RFC 6762/6763) and finds the other Cabanes nearby.
//
// Announce publishes two services, _http._tcp (so any "Bonjour" browser lists the
// box) and _cabane._tcp (whose TXT record carries the instance name, version, path
// and public URL), under a host name such as cabane.local, on the LAN interfaces
// only. It answers A/AAAA queries for that host name itself, because the zeroconf
// library only answers service queries. Browse keeps a live list of the other
// Cabanes for the "Nearby" page.
//
// Names are unique on the LAN as RFC 6762 §8–9 asks, which zeroconf does not
// do: before announcing, the responder probes for the host name and both
// instance names (three probes 250 ms apart), settles simultaneous probes by the
// §8.2 tie-break, and moves to the next pair when one is taken: cabane-2.local
// and "Cabane (2)", then -3, … A conflict heard after start (two boxes that
// met when a cable went in) makes both probe again, and one renames.
// Announcer.Hostname and Renamed tell the setup page which name won.
//
// Every socket is bound to UDP 5353 with SO_REUSEADDR (the Go runtime sets it for
// multicast listen addresses), so an avahi-daemon on the same host keeps working:
// multicast datagrams are delivered to every socket bound to the port.
package discovery
