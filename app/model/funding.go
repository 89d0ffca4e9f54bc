package model

// FundingLink is one way to support a creator, as their channel or account
// lists it (#11): a kind (FundingLiberapay...), a label shown to people,
// and either an http(s) URL or, for a bank transfer, a note (an IBAN and
// a name, say). Cabane only shows and federates them: nothing about the
// people who follow a link is ever sent anywhere.
type FundingLink struct {
	Kind  string
	Label string
	URL   string // "" for a bank transfer
	Note  string // a bank transfer's details; "" otherwise
}

// Funding link kinds.
const (
	FundingLiberapay      = "liberapay"
	FundingOpenCollective = "opencollective"
	FundingKofi           = "kofi"
	FundingPatreon        = "patreon"
	FundingPayPal         = "paypal"
	FundingBank           = "bank"
	FundingURL            = "url"
)

// FundingKinds are the kinds, in the order forms offer them.
var FundingKinds = []string{FundingLiberapay, FundingOpenCollective, FundingKofi, FundingPatreon, FundingPayPal, FundingBank, FundingURL}

// FundingOwner is whose links they are: an account (its Person) or a
// channel (its Group).
type FundingOwner struct {
	Channel bool // false: an account
	ID      int64
}

// AccountFunding and ChannelFunding name an owner.
func AccountFunding(id int64) FundingOwner { return FundingOwner{ID: id} }

// ChannelFunding names a channel's links.
func ChannelFunding(id int64) FundingOwner { return FundingOwner{Channel: true, ID: id} }
