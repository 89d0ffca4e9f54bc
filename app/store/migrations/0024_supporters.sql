-- Supporters (#11): the people a creator (an account) lets see their
-- supporter-only videos (privacy 7): a local account, a remote actor (by
-- IRI) or someone known by name only. Each holds a personal link whose
-- token is derived from the instance's supporters key (settings) and the
-- row's nonce, so it can be shown again and sent; only its hash is looked
-- up. Revoked rows stay (revoked_at), so a revoked link never comes back.
CREATE TABLE supporters (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('local', 'remote', 'named')),
    local_account_id INTEGER REFERENCES accounts(id) ON DELETE CASCADE,
    actor_iri TEXT NOT NULL DEFAULT '',
    inbox TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL,
    nonce TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX supporters_owner ON supporters(account_id);
CREATE INDEX supporters_local ON supporters(local_account_id) WHERE local_account_id IS NOT NULL;

-- Early access: a supporter-only video that turns public at public_at
-- (ms). The row goes when the video is published; a start-up check and a
-- periodic one publish what came due while the box was off.
CREATE TABLE video_early_access (
    video_id INTEGER PRIMARY KEY REFERENCES videos(id) ON DELETE CASCADE,
    public_at INTEGER NOT NULL
);
CREATE INDEX video_early_access_due ON video_early_access(public_at);

-- Supporter-only videos already announced to their remote supporters by a
-- direct Note: announced once, even if the privacy flips back and forth.
CREATE TABLE supporter_notes (
    video_id INTEGER NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
    supporter_id INTEGER NOT NULL REFERENCES supporters(id) ON DELETE CASCADE,
    PRIMARY KEY (video_id, supporter_id)
);
