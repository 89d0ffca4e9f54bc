package outbox

import (
	"strconv"
	"time"

	"cabane.dev/cabane/app/federation/vocab"
	"cabane.dev/cabane/app/uris"
)

// Activity is one activity as it leaves the box: the envelope PeerTube
// sends (@context, type, id, actor, object, to, cc), its object a
// document, an IRI or a Tombstone.
type Activity struct {
	Context vocab.Context `json:"@context,omitempty"`
	Type    string        `json:"type"`
	ID      string        `json:"id"`
	Actor   string        `json:"actor"`
	Object  any           `json:"object"`
	To      []string      `json:"to"`
	Cc      []string      `json:"cc"`
}

// Tombstone is what a Delete names: the object that is gone, by its id.
// No formerType, which PeerTube's Deletes do not carry either: the
// ActivityStreams context types it @id, so "Note" is a relative IRI, and
// the JSON-LD check PeerTube runs on a forwarded Delete (safe mode)
// refuses the whole activity for it.
type Tombstone struct {
	Type string `json:"type"` // "Tombstone"
	ID   string `json:"id"`
}

// announceContext is the @context of Announce and Delete, which carry no
// document of their own: ActivityStreams and the security terms, as a
// collection's.
var announceContext = vocab.CollectionContext

// videoActors are the IRIs a video's activities name: the video, its
// account and channel, and their followers collections.
type videoActors struct {
	video, account, channel string
	followers               []string // the account's, then the channel's
	channelID               int64
	public                  bool
}

func actorsOf(u uris.Builder, uuid, account, channel string, channelID int64, public bool) videoActors {
	a, c := uris.Account(account), uris.Channel(channel)
	return videoActors{video: u.Abs(uris.Watch(uuid)), account: u.Abs(a), channel: u.Abs(c), channelID: channelID, public: public,
		followers: []string{u.Abs(uris.Followers(a)), u.Abs(uris.Followers(c))}}
}

// audience addresses a video: a public one to everyone, copied to the
// followers (timelines show it); an unlisted one to the followers, copied
// to everyone (reachable, never listed), as PeerTube and Mastodon read it.
func (va videoActors) audience() (to, cc []string) {
	if va.public {
		return []string{vocab.Public}, va.followers
	}
	return va.followers, []string{vocab.Public}
}

// PeerTube's activity ids (its activitypub/url.ts): a video's Create is
// <video>/activity, its channel's Announce <video>/announces/<actor id>,
// an Update <object>/updates/<date>, a Delete <object>/delete. A retried
// job makes the same ids, so a receiver that has one drops the repeat.
func createID(video string) string { return video + "/activity" }
func announceID(video string, channelID int64) string {
	return video + "/announces/" + strconv.FormatInt(channelID, 10)
}
func updateID(object string, version int64) string {
	return object + "/updates/" + vocab.Time(time.UnixMilli(version))
}
func deleteID(object string) string { return object + "/delete" }

// videoCreate is the account's Create of doc, addressed as the video is;
// the object carries the same addressing (PeerTube's audiencify).
func videoCreate(va videoActors, doc vocab.Video) Activity {
	to, cc := va.audience()
	return Activity{Context: vocab.VideoContext, Type: "Create", ID: createID(va.video), Actor: va.account,
		Object: addressed(doc, to, cc), To: to, Cc: cc}
}

// videoAnnounce is the channel's Announce of the video (how a PeerTube
// channel "boosts" its new videos to the channel's followers).
func videoAnnounce(va videoActors) Activity {
	to, cc := va.audience()
	return Activity{Context: announceContext, Type: "Announce", ID: announceID(va.video, va.channelID), Actor: va.channel,
		Object: va.video, To: to, Cc: cc}
}

// videoUpdate is the account's Update of doc at version.
func videoUpdate(va videoActors, doc vocab.Video, version int64) Activity {
	to, cc := va.audience()
	return Activity{Context: vocab.VideoContext, Type: "Update", ID: updateID(va.video, version), Actor: va.account,
		Object: addressed(doc, to, cc), To: to, Cc: cc}
}

// videoDelete is the account's Delete of the video, addressed as the video
// was while it federated.
func videoDelete(va videoActors) Activity {
	to, cc := va.audience()
	return Activity{Context: announceContext, Type: "Delete", ID: deleteID(va.video), Actor: va.account,
		Object: Tombstone{Type: "Tombstone", ID: va.video}, To: to, Cc: cc}
}

// actorUpdate is an actor's Update of its own document, public and copied
// to its followers (PeerTube's getPublicAudience).
func actorUpdate(iri, followers string, doc any, version int64) Activity {
	return Activity{Context: vocab.ActorContext, Type: "Update", ID: updateID(iri, version), Actor: iri,
		Object: doc, To: []string{vocab.Public}, Cc: []string{followers}}
}

// addressed is doc without its own @context (the activity's holds) and
// with the activity's addressing.
func addressed(doc vocab.Video, to, cc []string) vocab.Video {
	doc.Context = nil
	doc.To, doc.Cc = to, cc
	return doc
}
