-- HTTP signature keys (#10). Local actors' RSA key pairs, one per actor:
-- kind is 'account', 'channel' or 'server' (the instance actor, id 0) and
-- id the account's or channel's row id. No foreign key on purpose: a
-- deleted actor still signs the Delete that tells its followers; whoever
-- purges an actor for good calls DeleteLocal. The private key is PKCS#8
-- PEM, the public key SPKI PEM (-----BEGIN PUBLIC KEY-----, the form
-- PeerTube accepts).
CREATE TABLE actor_keys (
  actor_kind  TEXT NOT NULL CHECK (actor_kind IN ('account', 'channel', 'server')),
  actor_id    INTEGER NOT NULL,
  private_pem TEXT NOT NULL,
  public_pem  TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (actor_kind, actor_id)
) WITHOUT ROWID;

-- Remote actors' public keys, by keyId (the IRI a Signature header names),
-- with the actor that owns the key and when it was fetched: what the
-- verifier knows after a restart without refetching every key.
CREATE TABLE remote_actor_keys (
  key_id     TEXT NOT NULL PRIMARY KEY,
  owner      TEXT NOT NULL,
  public_pem TEXT NOT NULL,
  fetched_at INTEGER NOT NULL
);
CREATE INDEX remote_actor_keys_owner ON remote_actor_keys(owner);
