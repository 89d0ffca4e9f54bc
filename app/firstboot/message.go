package firstboot

import (
	"fmt"
	"strings"
)

// Message is one sentence in every language the setup page speaks. The
// outcome file stores both, so the page picks the visitor's at display
// time.
type Message struct {
	EN string `json:"en"`
	FR string `json:"fr"`
}

// In returns the message in lang ("fr" or anything else for English).
func (m Message) In(lang string) string {
	if strings.HasPrefix(lang, "fr") && m.FR != "" {
		return m.FR
	}
	return m.EN
}

func (m Message) String() string { return m.EN }

// msg builds a Message from two format strings sharing the same arguments.
func msg(en, fr string, args ...any) Message {
	return Message{EN: fmt.Sprintf(en, args...), FR: fmt.Sprintf(fr, args...)}
}
