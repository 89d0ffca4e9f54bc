-- How a remote video's origin shares it peer to peer (#12), as its Video
-- object says: JSON {"segmentsSha256Url", "infohashes", "trackers"}
-- (model.RemoteP2P). The watch page of a public remote video joins the
-- origin's swarm with it; the API lists its info hashes and trackers as
-- PeerTube does.
ALTER TABLE remote_videos ADD COLUMN p2p TEXT NOT NULL DEFAULT '{}';
