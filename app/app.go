// Package app wires Cabane's parts together: one App holds the shared
// dependencies that cmd/cabane builds and runs.
package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"cabane.dev/cabane/app/abuses"
	"cabane.dev/cabane/app/accounts"
	"cabane.dev/cabane/app/auth"
	"cabane.dev/cabane/app/backup"
	"cabane.dev/cabane/app/bandwidth"
	"cabane.dev/cabane/app/blocklist"
	"cabane.dev/cabane/app/captions"
	"cabane.dev/cabane/app/certs"
	"cabane.dev/cabane/app/chapters"
	"cabane.dev/cabane/app/comments"
	"cabane.dev/cabane/app/config"
	"cabane.dev/cabane/app/discovery"
	"cabane.dev/cabane/app/federation"
	"cabane.dev/cabane/app/federation/delivery"
	"cabane.dev/cabane/app/federation/following"
	"cabane.dev/cabane/app/federation/follows"
	"cabane.dev/cabane/app/federation/inbox"
	"cabane.dev/cabane/app/federation/keys"
	"cabane.dev/cabane/app/federation/move"
	"cabane.dev/cabane/app/federation/outbox"
	"cabane.dev/cabane/app/federation/redundancy"
	"cabane.dev/cabane/app/federation/signature"
	"cabane.dev/cabane/app/funding"
	"cabane.dev/cabane/app/httpclient"
	"cabane.dev/cabane/app/i18n"
	"cabane.dev/cabane/app/imaging"
	"cabane.dev/cabane/app/instance"
	"cabane.dev/cabane/app/jobs"
	"cabane.dev/cabane/app/lan"
	"cabane.dev/cabane/app/media"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/notifications"
	"cabane.dev/cabane/app/p2p/stun"
	"cabane.dev/cabane/app/p2p/tracker"
	"cabane.dev/cabane/app/playlists"
	"cabane.dev/cabane/app/profile"
	"cabane.dev/cabane/app/ratelimit"
	"cabane.dev/cabane/app/ratings"
	"cabane.dev/cabane/app/recommendations"
	"cabane.dev/cabane/app/search"
	"cabane.dev/cabane/app/store"
	"cabane.dev/cabane/app/subscriptions"
	"cabane.dev/cabane/app/supporters"
	"cabane.dev/cabane/app/torrents"
	"cabane.dev/cabane/app/transcoding"
	"cabane.dev/cabane/app/uris"
	"cabane.dev/cabane/app/userexport"
	"cabane.dev/cabane/app/userimport"
	"cabane.dev/cabane/app/users"
	"cabane.dev/cabane/app/videos"
	"cabane.dev/cabane/app/views"
	"cabane.dev/cabane/app/web"
	"cabane.dev/cabane/assets"
	"cabane.dev/cabane/hardware"
)

// App is a running Cabane.
type App struct {
	Config   config.Config
	Layout   config.Layout
	Log      *slog.Logger
	Store    *store.Store
	Jobs     *jobs.Queue
	Media    *media.Runner
	Auth     *auth.Service
	Accounts *accounts.Service
	Videos   *videos.Service
	Torrents *torrents.Service // PeerTube's torrent of each published file
	// Federation: the documents other servers fetch; Keys, the local
	// actors' key pairs; Outbound, the only client that reaches them.
	Federation *federation.Service
	Keys       *keys.Keyring
	Outbound   *httpclient.Client
	// Outbox queues what local changes send to remote followers; it
	// sends once its Sender and Audience are set.
	Outbox *outbox.Service
	// --- inbox (#10) ---
	Inbox   *inbox.Service   // nil while federation is off
	Follows *follows.Service // remote followers: audience, collections, approvals
	// --- end inbox ---
	// Following: subscriptions to remote channels, instance follows, and
	// the videos they bring (#10); nil while federation is off.
	Following *following.Service
	Exports   *userexport.Service // export (#11 point 4)
	Imports   *userimport.Service // import (#11 point 4)
	Web       *web.Server
	// Transcoding is the profile jobs encode with (board, trial encodes,
	// the admin's choice).
	Transcoding *transcoding.Service
	// OnListening, if set, runs once the HTTP listener is open, with its
	// address: cmd's self health check, update commit and sd_notify.
	OnListening func(ctx context.Context, http net.Addr)
	// --- delivery (#10) ---
	// Delivery is the durable federation.Sender: signed POSTs to remote
	// inboxes, retried about two days; Health and Failures for the admin.
	Delivery *delivery.Service
	// --- end delivery ---
	// Funding: channels' support texts and the accounts' and channels'
	// funding links (#11).
	Funding *funding.Service
	// RemoteAvatars fetches remote accounts' pictures (nil while
	// federation is off).
	RemoteAvatars *profile.RemoteAvatars
	// Moves: local accounts and channels moving to other servers (#11);
	// nil while federation is off.
	Moves *move.Service
	// Supporters: creators' supporters and early-access publication (#11).
	Supporters *supporters.Service
	// Mirrors: who mirrors this box's videos, and what it mirrors (#12,
	// redundancy).
	Mirrors *redundancy.Service

	version string
	lock    *os.File // the data directory's, held while the App is open
	tls     *certs.Server
	peers   *discovery.Browser
	ann     atomic.Pointer[discovery.Announcer]
	// stunPort is the STUN server's UDP port once it listens (#12 point 2),
	// 0 while it does not.
	stunPort atomic.Int32
}

// Open prepares the data directory, opens and migrates the database, and
// builds the services. It starts nothing.
func Open(ctx context.Context, cfg config.Config, log *slog.Logger, version string) (*App, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("configuration: %w", err)
	}
	a := &App{Config: cfg, Layout: config.Layout{Root: cfg.DataDir}, Log: log, version: version}
	if err := a.Layout.Prepare(); err != nil {
		return nil, err
	}
	lock, err := lockDataDir(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	a.lock = lock
	opened := false
	defer func() {
		if !opened {
			lock.Close()
		}
	}()
	st, err := store.Open(ctx, a.Layout.DB(), store.Options{BackupDir: a.Layout.Backups()})
	if err != nil {
		return nil, err
	}
	a.Store = st
	a.Jobs = jobs.New(st.DB(), log.With("part", "jobs"), jobs.Options{})
	// Transcodes run below the web server's priority: a playing video and a
	// page load must stay quick while the box encodes.
	// The board is read once: its cores and memory size the password
	// hashing, the ffmpeg memory cap and the transcoding profile.
	board, err := hardware.DetectBoard(os.DirFS("/"))
	if err != nil {
		// What was read is kept: a board that is partly known still gets
		// its policy.
		log.Warn("board detection incomplete", "err", err)
	}
	a.Media = &media.Runner{FFmpeg: cfg.FFmpeg, FFprobe: cfg.FFprobe, Nice: 10, IdleIO: true, Logger: log.With("part", "media"),
		RunDir: a.Layout.Run(), MemoryLimit: ffmpegMemory(cfg.Limits.FFmpegMemory, board)}
	a.Auth = &auth.Service{Store: st.Repo(), Hashing: auth.NewGate(auth.HashSlots(max(board.Cores, 1), board.MemAvail))}
	a.Transcoding = transcoding.New(transcoding.Options{Board: board, Settings: st.Settings, Workers: cfg.Workers, Log: log.With("part", "hardware")})
	// Uploaded pictures (thumbnails, avatars): one decoded at a time, each
	// at most imaging.MaxDecodedBytes, so parallel uploads cannot add up.
	images := imaging.NewGate(1)
	a.Videos = &videos.Service{Store: st.Repo(), Jobs: a.Jobs, Media: a.Media, Layout: a.Layout, Log: log.With("part", "videos"),
		Transcoding: a.Transcoding, Limits: cfg.Limits, Quotas: st.Quotas(), Images: images,
		// Password-protected videos: wrong guesses limited as logins are.
		Passwords: st.Creator(), Guesses: ratelimit.New(ratelimit.Config{Every: 12 * time.Second, Burst: 5})}
	a.Jobs.Register(videos.JobKind, a.Videos.Handle)
	a.Torrents = &torrents.Service{Layout: a.Layout, Videos: a.Videos, Log: log.With("part", "torrents")}
	a.Videos.Recorded = a.Torrents.Published
	home, err := lan.ParsePrefixes(cfg.LANRanges)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("--lan: %w", err)
	}
	proxies, err := lan.ParsePrefixes(cfg.TrustedProxy)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("--trusted-proxies: %w", err)
	}
	a.Accounts = &accounts.Service{Store: st.Repo()}
	// --- admin pages: instance settings, users (#9 point 7) ---
	inst := &instance.Service{Settings: st.Settings, Defaults: instance.About{Name: instanceName(cfg.InstanceName),
		VideoQuota: quotaDefault(cfg.Limits.VideoQuota), VideoQuotaDaily: quotaDefault(cfg.Limits.VideoQuotaDaily)}}
	a.Videos.DefaultQuotas = inst.DefaultQuotas
	// --- end admin pages ---
	// --- social (helper E, #9 point 6) ---
	notify := &notifications.Service{Store: st.Notifications(), Videos: st.Videos, Comments: st.Comments(),
		Subscribers: st.Subscriptions(), Users: st.Accounts, Log: log.With("part", "notifications")}
	a.Videos.Published = notify
	// --- end social ---
	// --- moderation (helper F, #9 point 8) ---
	blocks := &blocklist.Service{Store: st.Blocklist(), Directory: a.Accounts, Users: st.Accounts, LocalHost: func() string { return uris.New(cfg.PublicURL).Host() }}
	a.Videos.Blocks = blocks.Blocks
	notify.Blocks = blocks.Blocks // mypages2: no notification of a muted account's acts
	a.Videos.ServerBlocked = blocks.ServerBlocked
	// --- end moderation ---
	profiles := &profile.Service{Store: st.Profiles(), Auth: a.Auth, Layout: a.Layout, Log: log.With("part", "profile"), Images: images}
	// --- federation (#10) ---
	allow, err := httpclient.ParseAllowList(cfg.AllowPrivateFetch)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("--allow-private-fetch: %w", err)
	}
	// The one outbound client: every fetch and delivery goes through it.
	a.Outbound = httpclient.New(httpclient.Options{Version: version, PublicURL: cfg.PublicURL, Allow: allow})
	a.Keys = keys.NewKeyring(st.ActorKeys())
	a.Federation = &federation.Service{Identity: federation.NewIdentity(cfg.PublicURL, cfg.AllowPrivateFetch),
		Accounts: a.Accounts, Videos: a.Videos, Torrents: a.Torrents, Avatars: profiles, Version: version,
		Keys: federation.PublicKeyFunc(func(ctx context.Context, kind string, id int64) (string, error) {
			p, err := a.Keys.Get(ctx, keys.Actor{Kind: keys.Kind(kind), ID: id})
			if err != nil {
				return "", err
			}
			return p.PublicPEM, nil
		}),
		Stats: federation.UsageFunc(st.Usage),
		Node: func(ctx context.Context) (string, string) {
			about, _ := inst.Get(ctx)
			return about.Name, about.ShortDescription
		}}
	// --- end federation ---
	// --- delivery (#10) ---
	// A queue of its own on the same table, with its own workers (an
	// encode holds the main queue's worker for minutes), under the main
	// queue's owner so that neither's start-up recovery takes the other's
	// running jobs for a dead process's.
	dlog := log.With("part", "delivery")
	// A follower whose own inbox answers 410 Gone is forgotten (the
	// follows are built below, before anything runs).
	gone := func(ctx context.Context, inbox, recipient string) { a.Follows.Gone(ctx, inbox, recipient, dlog) }
	a.Delivery = delivery.New(st.Delivery(), jobs.New(st.DB(), dlog, jobs.Options{Owner: a.Jobs.Owner()}), a.Outbound, a.Keys, dlog,
		delivery.Options{Gone: gone}.ScaledTo(cfg.DeliveryFirstRetry))
	// --- end delivery ---
	// --- inbox (#10) ---
	// The views and reports services are shared by the API and the inbox
	// (remote views, Flags).
	viewCounter := &views.Service{Videos: a.Videos}
	abuseSvc := &abuses.Service{Store: st.Abuses(), Videos: a.Videos, Comments: st.Comments(), Accounts: a.Accounts,
		Notify: st.Notifications(), Log: log.With("part", "abuses")}
	// Accepts and Rejects leave through the delivery queue.
	a.Follows = &follows.Service{Identity: a.Federation.Identity, Store: st.Follows(), Directory: a.Accounts, Sender: a.Delivery}
	a.Federation.Collections = follows.Collection{Store: st.Follows()}
	a.Federation.Outbox = outbox.Collection{Identity: a.Federation.Identity, Documents: a.Federation, Videos: st.Follows(),
		Log: log.With("part", "outbox")}
	if a.Federation.Identity.On() {
		a.Inbox, err = inbox.New(inbox.Config{Identity: a.Federation.Identity, Client: a.Outbound, Keyring: a.Keys,
			KeyStore: st.ActorKeys(), Store: st.Follows(), Locals: a.Accounts, Answers: a.Follows, Log: log.With("part", "inbox"),
			Videos: a.Videos, Notify: notify, Views: viewCounter, Reports: abuseSvc})
		if err != nil {
			st.Close()
			return nil, err
		}
	}
	// --- end inbox ---
	// --- redundancy (#12): servers that mirror local videos ---
	a.Mirrors = &redundancy.Service{Store: st.Redundancy(), Settings: st.Settings, Followed: st.Follows(), AllowHTTP: allow,
		Log: log.With("part", "redundancy")}
	a.Federation.Mirrors = a.Mirrors
	if a.Inbox != nil {
		a.Inbox.Mirrors = a.Mirrors
		// CacheFiles of local videos go on to their followers (PeerTube).
		a.Inbox.Audience, a.Inbox.Sender = a.Follows, a.Delivery
	}
	// --- end redundancy ---
	// --- outbox (#10) ---
	// What a publish, an edit, a deletion or an actor change sends, queued
	// with the write, sent through the delivery queue to the follows.
	a.Outbox = &outbox.Service{Identity: a.Federation.Identity, Documents: a.Federation, Videos: a.Videos, Accounts: a.Accounts,
		Jobs: a.Jobs, Log: log.With("part", "outbox"), Sender: a.Delivery}
	a.Outbox.Register(a.Jobs)
	a.Videos.Federate = a.Outbox
	profiles.Changed = a.Outbox.AccountChanged
	// --- support (#11): funding links on the pages and the actors ---
	a.Funding = &funding.Service{Store: st.Funding(), Channels: a.Accounts,
		AccountChanged: a.Outbox.AccountChanged, ChannelChanged: a.Outbox.ChannelChanged}
	a.Federation.Funding = a.Funding
	// --- end support ---
	a.Outbox.Audience = a.Follows
	// --- end outbox ---
	// --- remotesocial (#10): comments, ratings and views of remote videos
	// go to their origin; comments here on them are served as Notes ---
	a.Outbox.Remotes, a.Outbox.Comments = st.Follows(), st.Comments()
	a.Federation.Origins = st.Follows()
	viewCounter.Federate = a.Outbox
	// --- end remotesocial ---
	// --- outsocial (#10): comments and ratings going out ---
	// A comment and the news of it commit together; remote servers read
	// comments as a stranger would.
	comms := &comments.Service{Store: st.Comments(), Videos: a.Videos,
		Policy: func(v model.Video) int { return v.Meta.CommentsPolicy }, Notify: notify, Blocked: blocks.ServerBlocked, Federate: a.Outbox}
	a.Federation.Comments = comms
	// --- end outsocial ---
	// --- following (#10) ---
	subs := &subscriptions.Service{Store: st.Subscriptions(), Channels: a.Accounts, Videos: a.Videos}
	if a.Inbox != nil {
		scheme := "https"
		if u, err := url.Parse(cfg.PublicURL); err == nil && u.Scheme == "http" {
			scheme = "http" // WebFinger as this server itself is reached (tests, closed networks)
		}
		a.Following = &following.Service{Identity: a.Federation.Identity, Store: st.Follows(),
			Fetch: struct {
				inbox.ActorFetcher
				inbox.ObjectFetcher
			}{a.Inbox.Actors, a.Inbox.Objects},
			Web: a.Outbound, Locals: a.Follows, Sender: a.Delivery, Jobs: a.Jobs, Log: log.With("part", "following"), Scheme: scheme}
		a.Following.Register(a.Jobs)
		// Remote people's pictures: GETs signed as the server actor,
		// through the outbound client.
		serverIRI := a.Federation.Identity.URIs().Abs(uris.ServerActor)
		a.RemoteAvatars = &profile.RemoteAvatars{Profiles: profiles, Store: st.Profiles(),
			Fetch: func(ctx context.Context, u string, limit int64) ([]byte, error) {
				pair, err := a.Keys.Get(ctx, keys.ServerActor)
				if err != nil {
					return nil, err
				}
				return a.Outbound.GetMedia(ctx, u, "image/*", limit, func(r *http.Request) error {
					return signature.Signer{}.Sign(r, pair.Private, signature.KeyID(serverIRI), nil)
				})
			}}
		a.Inbox.Following, a.Inbox.Channels = a.Following, a.Following
		a.Following.Lists, a.Inbox.Lists = st.Recommendations(), a.Following // recommend (#11): remote channels' lists
		a.Inbox.Recommender = a.Following                                    // and the videos they announce
		subs.Remote = a.Following
		// --- move (#11 point 4) ---
		a.Inbox.Mover = a.Following
		a.Moves = &move.Service{Identity: a.Federation.Identity, Store: st.Moves(), Following: a.Following, Fetch: a.Inbox.Objects,
			Locals: a.Follows, Channels: a.Accounts, Subscribers: st.Subscriptions(), Audience: a.Follows, Sender: a.Delivery,
			Log: log.With("part", "move"), Changed: func(ctx context.Context, who keys.Actor) {
				if who.Kind == keys.Account {
					a.Outbox.AccountChanged(ctx, who.ID)
				} else {
					a.Outbox.ChannelChanged(ctx, who.ID)
				}
			}}
		a.Federation.Moves = a.Moves
		a.Inbox.LocalMover = a.Moves // a remote creator moving here
		// --- end move ---
		// --- redundancy (#12 point 4): mirroring followed instances' videos ---
		a.Mirrors.Mirror = &redundancy.Mirroring{Store: st.Redundancy(), Jobs: a.Jobs, Fetch: a.Inbox.Objects, HTTP: a.Outbound,
			Sender: a.Delivery, URIs: a.Federation.Identity.URIs(), Dir: a.Layout.Redundancy(), Free: freeBytes, LowDisk: cfg.MirrorLowDisk,
			Origin: func(ctx context.Context, iri string) (federation.Recipient, error) {
				ra, err := a.Inbox.Actors.Actor(ctx, iri)
				if err != nil {
					return federation.Recipient{}, err
				}
				return federation.Recipient{Actor: ra.IRI, Inbox: ra.Inbox, SharedInbox: ra.SharedInbox}, nil
			}}
		a.Mirrors.Register(a.Jobs)
		a.Videos.DiskFull = a.Mirrors.FreeDisk // the creator's videos before other servers'
		// --- end redundancy ---
	}
	// --- end following ---
	// --- export (#11 point 4): user exports ---
	a.Exports = &userexport.Service{Store: st.UserExports(), Jobs: a.Jobs, Layout: a.Layout, URIs: uris.New(cfg.PublicURL),
		Notifications: notify.Settings, Log: log.With("part", "export"), MaxBytes: cfg.MaxExportBytes,
		// An archive is capped at twice the user's video quota (limit.go).
		Quota: func(ctx context.Context, userID int64) (int64, int64, error) {
			q, err := a.Videos.QuotaOf(ctx, userID)
			return q.VideoQuota, q.VideoQuotaUsed, err
		}}
	if a.Federation.Identity.On() {
		a.Exports.AP = a.Federation
	}
	a.Jobs.Register(userexport.JobKind, a.Exports.Handle)
	// --- end export ---
	// --- import (#11 point 4): user imports, through the services an
	// upload, a caption, a playlist, a rating and a follow go through ---
	captionSvc := &captions.Service{Store: st.Creator(), Videos: a.Videos, Layout: a.Layout, Log: log.With("part", "captions")}
	chapterSvc := &chapters.Service{Store: st.Creator(), Videos: a.Videos, Log: log.With("part", "chapters")}
	playlistSvc := &playlists.Service{Store: st.Playlists(), Videos: a.Videos, Accounts: a.Accounts}
	ratingSvc := &ratings.Service{Store: st.Ratings(), Videos: a.Videos, Federate: a.Outbox}
	a.Imports = &userimport.Service{Store: st.UserImports(), Accounts: st.Repo().Accounts, Jobs: a.Jobs, Layout: a.Layout,
		Videos: a.Videos, Captions: captionSvc, Chapters: chapterSvc, Playlists: playlistSvc, Ratings: ratingSvc, Subscriptions: subs,
		Profile: profiles, Here: uris.New(cfg.PublicURL).Host(), Log: log.With("part", "import")}
	if a.Following != nil {
		a.Imports.RemoteVideo = func(ctx context.Context, u string) (int64, error) {
			k, err := a.Following.Know(ctx, u)
			if err == nil && k.VideoID == 0 {
				err = fmt.Errorf("%s is not a video", u)
			}
			return k.VideoID, err
		}
	}
	a.Jobs.Register(userimport.JobKind, a.Imports.Handle)
	// --- end import ---
	// --- supporters (#11) ---
	a.Supporters = &supporters.Service{Store: st, Federate: a.Outbox, Log: log.With("part", "supporters")}
	a.Outbox.Supporters = a.Supporters
	notify.Supporters = a.Supporters // local supporters are told of supporter-only videos
	// The supporter Notes speak their creator's interface language.
	noteMsgs, err := i18n.Load(assets.Locales())
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("load the messages: %w", err)
	}
	a.Outbox.NoteWords = func(ctx context.Context, accountID int64) outbox.NoteWords {
		lang, err := st.Profiles().AccountLanguage(ctx, accountID)
		if err != nil || !noteMsgs.Has(lang) {
			lang = "en"
		}
		p := noteMsgs.Printer(lang)
		return outbox.NoteWords{NewVideo: p.T("supporters.note.new_video"), YourLink: p.T("supporters.note.your_link")}
	}
	a.Videos.EarlyAccess = a.Supporters.SetEarlyAccess // an upload's early access
	if a.Following != nil {
		a.Supporters.Resolver = supporterResolver{a.Following, a.Inbox.Actors}
	}
	// --- end supporters ---
	// Recommendations (#11): creators' lists, boosted and published as a collection.
	recs := &recommendations.Service{Identity: a.Federation.Identity, Store: st.Recommendations(), Channels: a.Accounts,
		Videos: a.Videos, Announce: a.Outbox, Log: log.With("part", "recommendations")}
	if a.Following != nil {
		recs.Remote = a.Following
	}
	// Nearby boxes are on the home network, which the outbound client
	// refuses by default: this one reaches only private ranges, and only
	// peers on the home network are asked (recommendations.Nearby).
	lanAllow, _ := httpclient.ParseAllowList(append([]string{"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16",
		"fc00::/7", "fe80::/10"}, cfg.AllowPrivateFetch...))
	recs.Nearby = &recommendations.Nearby{Client: httpclient.New(httpclient.Options{Version: version, PublicURL: cfg.PublicURL,
		Allow: lanAllow, Timeout: 3 * time.Second, MaxRedirects: -1, MaxBody: 256 << 10}), IsHome: (&lan.Policy{Home: home}).IsHome}
	a.Federation.Recommendations = recs
	// The upstream's capacity and its remote viewers; the measured upload
	// goes out through the one outbound client.
	upstream := bandwidth.New(st.Settings)
	upstream.Uploader = a.Outbound
	a.Web, err = web.New(web.Deps{Config: cfg, Auth: a.Auth, Federation: a.Federation, Accounts: a.Accounts, Videos: a.Videos, Jobs: a.Jobs, Torrents: a.Torrents,
		LAN: &lan.Policy{Home: home, Proxies: proxies},
		Log: log.With("part", "web"), Version: version,
		Bandwidth:   upstream, // upload bandwidth (#12 point 5)
		Nearby:      a.nearby,
		TLSStatus:   a.tlsStatus,
		Transcoding: a.Transcoding.Status,
		SetEncoder:  a.Transcoding.SetChoice,
		MDNSName:    a.mdnsName,
		// --- community (helper C, #9 point 6) ---
		Comments: comms,
		Ratings:  ratingSvc,
		Views:    viewCounter,
		// --- end community ---
		// --- social (helper E, #9 point 6) ---
		Playlists:     playlistSvc,
		Subscriptions: subs,
		Notifications: notify,
		// --- end social ---
		// --- search (helper D, #9 point 5) ---
		Search: &search.Service{Store: st.Search(), Lookup: a.Videos, TrendingDays: videos.TrendingDays},
		// --- end search ---
		// --- moderation (helper F, #9 point 8) ---
		Abuses:    abuseSvc,
		Blocklist: blocks,
		// --- end moderation ---
		// --- creator: captions, chapters (#9 point 4) ---
		Captions: captionSvc,
		Chapters: chapterSvc,
		// --- end creator ---
		// --- my pages: settings (helper H, #9 point 7) ---
		Profile: profiles,
		// --- end my pages ---
		// --- admin pages (#9 points 7, 8) ---
		Instance: inst,
		Users:    &users.Service{Store: st.Users(), Auth: a.Auth, Videos: a.Videos, Log: log.With("part", "users")},
		// --- end admin pages ---
		// --- inbox (#10) ---
		Inbox: a.Inbox, Follows: a.Follows,
		// --- end inbox ---
		// --- admin federation page (#10 point 8) ---
		Delivery: a.Delivery,
		// --- end admin federation page ---
		Following: a.Following, // following (#10)
		Funding:   a.Funding,   // support (#11)
		Moves:     a.Moves,     // move (#11)
		Usage:     st.Usage,
		// --- backup (#11 point 5) ---
		Backups: &backup.Manager{Layout: a.Layout, Version: version, Log: log.With("part", "backup")},
		// --- end backup ---
		Exports: a.Exports, // export (#11 point 4)
		Imports: a.Imports, // import (#11 point 4)
		// supporters (#11)
		Supporters:      a.Supporters,
		Recommendations: recs, // recommend (#11)
		// tracker (#12 point 2): the default limits, pages of any site
		// (web's newTracker says why)
		Tracker:  &tracker.Options{},
		STUNPort: func() int { return int(a.stunPort.Load()) },
		Mirrors:  a.Mirrors, // redundancy (#12)
	})
	if err != nil {
		st.Close()
		return nil, err
	}
	// The Video objects list the swarms of the web server's tracker (#12).
	a.Federation.Swarms = a.Web
	opened = true
	return a, nil
}

// freeBytes is the space left for Cabane on dir's file system (ok false
// when it cannot be read).
func freeBytes(dir string) (int64, bool) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, false
	}
	return int64(st.Bavail) * int64(st.Bsize), true
}

// ffmpegMemory turns the --ffmpeg-memory setting (0 auto, -1 off) into
// the runner's cap.
func ffmpegMemory(setting int64, b hardware.Board) int64 {
	switch {
	case setting == 0:
		return media.AutoMemoryLimit(int64(b.MemTotal))
	case setting < 0:
		return 0
	}
	return setting
}

func (a *App) nearby() []discovery.Peer {
	if a.peers == nil {
		return nil
	}
	return a.peers.Peers()
}

func (a *App) tlsStatus() certs.Status {
	if a.tls == nil {
		return certs.Status{Mode: certs.ModeOff, State: certs.StateOff}
	}
	return a.tls.Status()
}

// Run serves HTTP and processes jobs until ctx ends (SIGTERM), then stops
// taking requests, lets the current job be re-queued, and returns.
func (a *App) Run(ctx context.Context) error {
	// Before any job resumes: an encode a killed predecessor left running
	// would write into the staging folder the resumed job deletes.
	if n, err := a.Media.KillLeftovers(); err != nil {
		a.Log.Warn("kill ffmpeg left by the last run", "err", err)
	} else if n > 0 {
		a.Log.Warn("killed ffmpeg processes left by the last run", "count", n)
	}
	// Partial uploads go before the first request can start a new one; the
	// media folders' sweep (one lookup per folder, seconds with thousands
	// of videos) runs after the server listens.
	started := time.Now()
	if err := a.Videos.ClearPartialUploads(); err != nil {
		return fmt.Errorf("clean up after the last run: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	srv, err := a.listen()
	if err != nil {
		return err
	}
	a.tls = srv
	if code, path, ok, err := a.Web.SetupCode(ctx); err != nil {
		a.Log.Error("first run: the setup code could not be written", "err", err)
	} else if ok {
		// Whoever opens the setup page first becomes admin: from the box
		// itself, they must show they can read this.
		a.Log.Warn("first run: open this Cabane in a browser to create the administrator; from the box itself, give the setup code",
			"code", code, "file", path)
	}
	stopDiscovery := a.startDiscovery(ctx)
	// Housekeeping flushes view counts when it stops: it stops after the
	// HTTP server, so views counted by the last requests are kept.
	houseCtx, stopHouse := context.WithCancel(context.WithoutCancel(ctx))
	defer stopHouse()
	served := make(chan struct{})
	var wg sync.WaitGroup
	errc := make(chan error, 4)
	wg.Go(func() {
		<-ctx.Done()
		stopDiscovery() // goodbye packets, while the server drains
	})
	if a.OnListening != nil {
		wg.Go(func() { a.OnListening(ctx, srv.HTTPAddr()) })
	}
	wg.Add(5)
	go func() {
		defer wg.Done()
		if err := a.Videos.SweepOrphans(ctx, started); err != nil && ctx.Err() == nil {
			a.Log.Warn("sweep media folders", "err", err)
		}
		// Beside the server, never before it: old videos play meanwhile.
		if err := a.Videos.MigrateLayout(ctx); err != nil && ctx.Err() == nil {
			a.Log.Warn("migrate media folders to PeerTube's layout", "err", err)
		}
		// Live files that encodes since superseded (an interrupted sweep
		// finishes here).
		if err := a.Videos.SweepLiveFiles(ctx); err != nil && ctx.Err() == nil {
			a.Log.Warn("remove superseded live files", "err", err)
		}
		// Then the torrents of videos published before they existed.
		if err := a.Torrents.Sweep(ctx); err != nil && ctx.Err() == nil {
			a.Log.Warn("hash published files for their torrents", "err", err)
		}
	}()
	go func() {
		defer wg.Done()
		err := a.Transcoding.Probe(ctx, hardware.ProbeOptions{FFmpeg: a.Config.FFmpeg, CachePath: a.Layout.HardwareProbeCache()})
		if err != nil && ctx.Err() == nil {
			a.Log.Warn("hardware probe failed; using libx264", "err", err)
		}
	}()
	go func() {
		defer wg.Done()
		// Stopped while it starts (recovering interrupted jobs): a clean
		// stop, not a failure.
		if err := a.Jobs.Run(ctx, a.Config.Workers); err != nil && ctx.Err() == nil {
			errc <- fmt.Errorf("jobs: %w", err)
		}
	}()
	go func() {
		defer wg.Done()
		a.Videos.RunHousekeeping(houseCtx, 30*time.Second)
	}()
	wg.Go(func() { a.Web.RunIdleTrim(ctx) }) // memory back to the system when quiet (perf2)
	wg.Go(func() { a.Jobs.RunPrune(ctx, 6*time.Hour) })
	wg.Go(func() { a.Exports.RunPrune(ctx, time.Hour) }) // export (#11 point 4)
	wg.Go(func() { a.Imports.RunPrune(ctx, time.Hour) }) // import (#11 point 4)
	// --- inbox (#10) ---
	if a.Inbox != nil {
		wg.Go(func() { a.Inbox.RunPrune(ctx, 6*time.Hour) })
	}
	if a.RemoteAvatars != nil {
		wg.Go(func() { a.RemoteAvatars.Run(ctx) })
	}
	// --- end inbox ---
	// --- delivery (#10) ---
	wg.Go(func() {
		if err := a.Delivery.Run(ctx); err != nil && ctx.Err() == nil {
			errc <- fmt.Errorf("delivery: %w", err)
		}
	})
	// --- end delivery ---
	// --- tracker and STUN (#12 point 2) ---
	wg.Go(func() {
		// Not a reason to stop the box: viewers fall back to HTTP.
		if err := a.Web.RunTracker(ctx); err != nil && ctx.Err() == nil {
			a.Log.Warn("tracker stopped; peer-to-peer playback is off", "err", err)
		}
	})
	if st := a.listenSTUN(); st != nil {
		wg.Go(func() {
			defer a.stunPort.Store(0)
			if err := st.Serve(ctx); err != nil && ctx.Err() == nil {
				a.Log.Warn("STUN server stopped; peer-to-peer playback falls back to LAN and direct addresses", "err", err)
			}
		})
	}
	// --- end tracker ---
	wg.Go(func() { a.Mirrors.RunSweep(ctx, time.Hour) })                                        // redundancy (#12): expired mirrors
	wg.Go(func() { a.Mirrors.RunMirroring(ctx, cmp.Or(a.Config.MirrorEvery, 10*time.Minute)) }) // and what this box mirrors
	// Early access: what came due while the box was off, then every minute.
	wg.Go(func() { a.Supporters.Run(ctx, time.Minute) }) // supporters (#11)
	go func() {
		defer wg.Done()
		defer close(served)
		if err := srv.Run(ctx); err != nil {
			errc <- err
		}
	}()
	select {
	case err = <-errc:
		cancel()
	case <-ctx.Done():
	}
	<-served
	stopHouse()
	wg.Wait()
	close(errc)
	for e := range errc {
		err = errors.Join(err, e)
	}
	return err
}

// listenSTUN opens the STUN server's socket, nil when it is off or the
// port is taken: peer-to-peer playback still works between viewers whose
// browsers see each other, so a busy port (another STUN server on the
// box) is a warning, not a failed start.
func (a *App) listenSTUN() *stun.Server {
	addr := a.Config.STUNAddr
	if addr == "" || addr == "off" {
		return nil
	}
	st, err := stun.Listen(addr, stun.Options{Log: a.Log.With("part", "stun")})
	if err != nil {
		a.Log.Warn("STUN server not started", "err", err)
		return nil
	}
	a.stunPort.Store(int32(st.Port()))
	a.Log.Info("STUN", "udp", addr, "port", st.Port())
	return st
}

// listen opens the HTTP (and, with TLS, HTTPS) listeners now, so a port
// in use fails the start instead of a goroutine.
func (a *App) listen() (*certs.Server, error) {
	c := a.Config
	cc := certs.Config{Mode: c.TLS, Hosts: c.TLSHosts, Email: c.ACMEEmail, DirectoryURL: c.ACMEDir, CacheDir: a.Layout.Certs(),
		CertFile: c.TLSCert, KeyFile: c.TLSKey, HTTPAddr: c.Listen}
	if c.TLS != certs.ModeOff {
		cc.HTTPAddr, cc.HTTPSAddr = c.HTTPListen, c.HTTPSListen
	}
	srv, err := certs.New(cc, a.Web.Handler(), a.Log.With("part", "tls"))
	if err != nil {
		return nil, err
	}
	a.Log.Info("serving", "http", srv.HTTPAddr(), "https", srv.HTTPSAddr(), "tls", c.TLS, "data", c.DataDir)
	return srv, nil
}

// startDiscovery announces this Cabane on the LAN and watches for others.
// The returned stop sends the goodbye packets and waits for the browser;
// call it once ctx has ended.
func (a *App) startDiscovery(ctx context.Context) (stop func()) {
	port, listen := 0, netip.Addr{}
	if addr, ok := a.tls.HTTPAddr().(*net.TCPAddr); ok {
		port = addr.Port
		listen, _ = netip.AddrFromSlice(addr.IP)
	}
	dc := discovery.Config{Enabled: a.Config.MDNS, Instance: a.Config.InstanceName, Hostname: a.Config.MDNSHostname,
		Port: port, Listen: listen.Unmap(), PublicURL: a.Config.PublicURL, Version: a.version}
	log := a.Log.With("part", "mdns")
	// Probing for a free name takes about a second: the box serves meanwhile.
	announced := make(chan struct{})
	go func() {
		defer close(announced)
		ann, err := discovery.Announce(ctx, dc, log)
		if err != nil {
			// The LAN name is a convenience: the box keeps serving without it.
			log.Warn("mDNS announce failed", "err", err)
			return
		}
		a.ann.Store(ann)
	}()
	a.peers = discovery.Browse(ctx, dc, log)
	return func() {
		<-announced
		if ann := a.ann.Load(); ann != nil {
			ann.Close()
		}
		<-a.peers.Done()
	}
}

// mdnsName is the LAN name in use and, when it had to take another one, the
// name it wanted; empty before the first announcement.
func (a *App) mdnsName() (name, wanted string) {
	ann := a.ann.Load()
	if ann == nil {
		return "", ""
	}
	if w, ok := ann.Renamed(); ok {
		wanted = w
	}
	return ann.Hostname(), wanted
}

// Close closes the database cleanly.
func (a *App) Close() error {
	if a.Web != nil && a.Web.Backups != nil {
		a.Web.Backups.Close() // a backup in progress stops, and leaves no partial file
	}
	err := a.Store.Close()
	a.lock.Close() // releases the lock
	return err
}

// instanceName is the configured name, "Cabane" when none (admin pages).
func instanceName(n string) string {
	if n == "" {
		return "Cabane"
	}
	return n
}

// quotaDefault reads the configuration's "0: no limit" as PeerTube's -1.
func quotaDefault(n int64) int64 {
	if n <= 0 {
		return -1
	}
	return n
}

// supporterResolver finds a remote supporter by handle: WebFinger through
// following, then their actor, fetched signed by the inbox's fetcher.
type supporterResolver struct {
	*following.Service
	actors inbox.ActorFetcher
}

func (r supporterResolver) Actor(ctx context.Context, iri string) (model.RemoteActor, error) {
	return r.actors.Actor(ctx, iri)
}
