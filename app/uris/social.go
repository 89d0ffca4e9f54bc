package uris

import "net/url"

// Playlist is a playlist's URL and ActivityPub IRI, as PeerTube builds it.
func Playlist(uuid string) string { return "/video-playlists/" + url.PathEscape(uuid) }

// PlaylistPage is a playlist's page (PeerTube's short /w/p/ link).
func PlaylistPage(short string) string { return "/w/p/" + url.PathEscape(short) }

// PlaylistEmbed is a playlist's embed path, as PeerTube advertises it.
func PlaylistEmbed(uuid string) string { return "/video-playlists/embed/" + url.PathEscape(uuid) }

// MyPlaylists is the page of the user's playlists (PeerTube's path).
const MyPlaylists = "/my-library/video-playlists"

// MySubscriptions is the page of the user's subscriptions and their videos.
const MySubscriptions = "/my-library/subscriptions"

// MyNotifications is the page of the user's notifications.
const MyNotifications = "/my-account/notifications"
