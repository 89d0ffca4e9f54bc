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
// Every socket is bound to UDP 5353 with SO_REUSEADDR (the Go runtime sets it for
// multicast listen addresses), so an avahi-daemon on the same host keeps working:
// multicast datagrams are delivered to every socket bound to the port.
package discovery
