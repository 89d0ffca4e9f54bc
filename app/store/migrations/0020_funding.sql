-- Funding links (#11 point 1): the ordered ways to support a channel or an
-- account (its Person actor): a kind (liberapay, opencollective, kofi,
-- patreon, paypal, bank, url), a label, and an http(s) URL or, for a bank
-- transfer, a note. Each row belongs to exactly one account or channel and
-- goes with it.
CREATE TABLE funding_links (
  id         INTEGER PRIMARY KEY,
  account_id INTEGER REFERENCES accounts(id) ON DELETE CASCADE,
  channel_id INTEGER REFERENCES channels(id) ON DELETE CASCADE,
  position   INTEGER NOT NULL,
  kind       TEXT NOT NULL,
  label      TEXT NOT NULL,
  url        TEXT NOT NULL DEFAULT '',
  note       TEXT NOT NULL DEFAULT '',
  CHECK ((account_id IS NULL) <> (channel_id IS NULL))
);
CREATE UNIQUE INDEX funding_links_account ON funding_links(account_id, position) WHERE account_id IS NOT NULL;
CREATE UNIQUE INDEX funding_links_channel ON funding_links(channel_id, position) WHERE channel_id IS NOT NULL;
