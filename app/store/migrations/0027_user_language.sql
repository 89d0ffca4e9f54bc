-- The interface language a user chose (the settings page or the
-- language switcher while signed in), so that what the box writes on
-- their behalf when they are not there speaks it (the supporter Notes,
-- #11). '' until they choose: the box's default (English).
ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT '';
