package model

import "time"

// Caption is one subtitle file of a video, in one language (PeerTube has at
// most one caption per language and video).
type Caption struct {
	VideoID  int64
	Language string
	// Filename is the WebVTT file's name under the video's captions
	// folder, and the last part of its URL: random, so a caption's URL
	// says nothing a viewer could guess.
	Filename  string
	UpdatedAt time.Time
}

// Chapter is a named point of a video, as PeerTube has them.
type Chapter struct {
	Timecode int // seconds from the start
	Title    string
}

// VideoPassword is one of a password-protected video's passwords. PeerTube
// stores them as given (they are meant to be shared, and the owner lists
// them); only the owner and the admins ever read them back.
type VideoPassword struct {
	ID        int64
	VideoID   int64
	Password  string
	CreatedAt time.Time
	UpdatedAt time.Time
}
