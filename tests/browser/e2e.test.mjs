// e2e.test.mjs: the whole platform in headless Chromium against real Cabane
// servers: a new owner's story from first-run setup to deleting the video,
// once in English and once in French (a fresh server each, as setup runs
// once), then a tour of every page with axe-core and screenshots.
//
// Env (browser_test.go builds and starts the servers and sets these):
//   CABANE_URL, CABANE_SETUP_CODE        a fresh server for the English story and the tour
//   CABANE_URL_FR, CABANE_SETUP_CODE_FR  a fresh server for the French story
//   CABANE_CLIP       an H.264/AAC 854x480 mp4 (copied, and a 360p rung encoded)
//   CABANE_CLIP2      a small mp4 named deuxieme_clip.mp4, uploaded beside it in the English story
//   CABANE_SCREENSHOTS where screenshots go (optional)

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { launch, screenshot, watchPage } from './browser.mjs';
import { dropFiles, recordCardProgress, recordUploadProgress, uploadProgressSeen } from './checks.mjs';
import { assertAccessible, capture } from './audit.mjs';
import { apiOf, clickAndWait, isSegment, pathOf, playPast, recordRequests, step, submit, until } from './flow.mjs';

const CLIP = process.env.CABANE_CLIP || '';
const CLIP2 = process.env.CABANE_CLIP2 || '';
const SERVERS = {
  en: { base: (process.env.CABANE_URL || '').replace(/\/$/, ''), code: process.env.CABANE_SETUP_CODE },
  fr: { base: (process.env.CABANE_URL_FR || '').replace(/\/$/, ''), code: process.env.CABANE_SETUP_CODE_FR },
};

// What each language's interface says: the French story fails if a page
// falls back to English.
const WORDS = {
  en: { locale: 'en-US', setup: 'Welcome to Cabane', upload: 'Upload a video', post: 'Post', reply: 'Reply', like: 'Like', subscribe: 'Subscribe', unsubscribe: 'Unsubscribe', quality: 'Quality', saved: 'Details saved.', copied: 'Copied.', reported: 'Thank you: your report was sent to the moderators.', watchLater: 'Watch later', logout: 'Log out' },
  fr: { locale: 'fr-FR', setup: 'Bienvenue dans Cabane', upload: 'Publier une vidéo', post: 'Publier', reply: 'Répondre', like: 'J’aime', subscribe: "S'abonner", unsubscribe: 'Se désabonner', quality: 'Qualité', saved: 'Informations enregistrées.', copied: 'Copié.', reported: 'Merci : votre signalement a été transmis aux modérateurs.', watchLater: 'À regarder plus tard', logout: 'Se déconnecter' },
};

// The title has accents so that the search without them is a real test.
const TITLE = 'Été à la cabane';
const CAPTION = 'WEBVTT\n\n00:00:00.000 --> 00:00:30.000\nBonjour les sous-titres\n';

let browser;

before(async () => {
  for (const [lang, s] of Object.entries(SERVERS)) assert.ok(s.base && s.code, `the ${lang} server and its setup code must be set`);
  assert.ok(CLIP && CLIP2, 'CABANE_CLIP and CABANE_CLIP2 must be set');
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
});

async function text(page, selector) {
  return (await page.textContent(selector)).replace(/\s+/g, ' ').trim();
}

// story walks one owner through Cabane in one language on a fresh server.
async function story(t, lang) {
  const { base, code } = SERVERS[lang];
  const w = WORDS[lang];
  const context = await browser.newContext({ locale: w.locale });
  await context.addInitScript(recordUploadProgress);
  const page = await context.newPage();
  const errors = watchPage(page);
  const shot = (name) => screenshot(page, `story-${lang}-${name}`);
  const api = apiOf(page, base);
  const net = recordRequests(page);
  // The English story uploads two files at once (dropped), the French one
  // one file (chosen): upload.js titles each from its file name.
  const files = [{ path: CLIP, name: path.basename(CLIP) }];
  if (lang === 'en') files.push({ path: CLIP2, name: path.basename(CLIP2), title: 'deuxieme clip' });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  try {
    await step('a fresh instance sends / to /setup, in the browser language', async () => {
      await page.goto(`${base}/`);
      assert.equal(pathOf(page), '/setup');
      assert.equal(await page.getAttribute('html', 'lang'), lang);
      assert.equal(await text(page, 'h1'), w.setup);
      if (lang === 'en') await capture(page, 'setup');
      else await assertAccessible(page, 'setup (fr)');
    });

    await step('setup creates the owner and logs in', async () => {
      await page.fill('input[name=username]', 'alice');
      await page.fill('input[name=email]', 'alice@example.com');
      await page.fill('input[name=password]', 'correct horse battery staple');
      await page.fill('input[name=channel]', 'alice_videos');
      await page.fill('input[name=setupCode]', code);
      await submit(page, 'form#setup-form', (u) => u.pathname === '/');
      assert.equal(await text(page, 'form#logout-form button'), w.logout);
    });

    let short;
    await step(`upload through the upload page: ${files.length} file(s) ${lang === 'en' ? 'dropped' : 'chosen'}, each card to 100, details filled while it processes`, async () => {
      await page.goto(`${base}/upload`);
      assert.equal(await text(page, 'h1'), w.upload);
      // With JavaScript the single-file fields are hidden: the details come per file.
      assert.equal(await page.isVisible('#upload-form [name=name]'), false, 'the no-JS title field is hidden');
      await assertAccessible(page, `upload (${lang})`);
      await recordCardProgress(page);
      // A slow uplink, as from a phone, so the bars have several values to show.
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 1_000_000 });
      if (lang === 'en') await dropFiles(page, '#upload-drop', files);
      else await page.setInputFiles('#upload-file', files.map((f) => f.path));
      const cards = page.locator('#upload-files li.upload-file');
      await until('a card per file', async () => (await cards.count()) === files.length, 10_000);
      for (let i = 1; i <= files.length; i++) {
        await page.waitForSelector(`#upload-file-${i}[data-state=uploaded]`, { timeout: 60_000 });
        assert.equal(await page.$eval(`#upload-file-${i} .upload-file-progress`, (b) => b.value), 100);
        assert.equal(await page.locator(`#upload-file-${i} .upload-file-cancel`).count(), 0, 'no cancel once stored');
        assert.equal(await page.locator(`#upload-file-${i} .upload-file-processing section.processing`).count(), 1, 'the card follows the processing');
      }
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
      await cdp.detach();
      const perCard = await page.evaluate(() => window.cardProgress);
      t.diagnostic(`${lang} card progress values: ${JSON.stringify(perCard)}`);
      for (let i = 1; i <= files.length; i++) {
        const values = perCard[`upload-file-${i}`] || [];
        assert.equal(values.at(-1), 100, `card ${i} ends at 100: ${values}`);
        assert.ok(values.filter((v) => v > 0 && v < 100).length >= 2, `card ${i} moves through values between 0 and 100: ${values}`);
        assert.deepEqual(values, [...values].sort((a, b) => a - b), `card ${i} never goes back`);
      }
      const overall = (await uploadProgressSeen(page)).filter((s) => !s.hidden).map((s) => s.value);
      assert.equal(overall.at(-1), 100, `the overall bar ends at 100: ${overall}`);
      assert.deepEqual(overall, [...overall].sort((a, b) => a - b), 'the overall bar never goes back');

      // The first file's details, in its card's form, while it is processed.
      const meta = page.locator('#upload-file-1 form.upload-meta');
      await meta.waitFor();
      const processing = await page.$eval('#upload-file-1 section.processing', (s) => !s.classList.contains('done'));
      t.diagnostic(`${lang} details saved while still processing: ${processing}`);
      await page.fill('#u1-f-name', TITLE);
      await page.fill('#u1-f-tags', 'cabane, été');
      await page.fill('#u1-f-description', `Un clip de test (${lang})`);
      await meta.locator('button[type=submit]').click();
      await page.waitForFunction((want) => document.querySelector('#upload-file-1 .upload-meta-status')?.textContent === want, w.saved);
      assert.equal(pathOf(page), '/upload', 'saved in place');
      // Every card's processing ends in its link, as processing.js follows it.
      for (let i = 1; i <= files.length; i++) {
        await page.waitForSelector(`#upload-file-${i} section.processing.done a.processing-done`, { timeout: 120_000 });
      }
      await shot('upload-done');
      const links = await page.$$eval('#upload-files a.upload-file-watch', (as) => as.map((a) => new URL(a.href).pathname.split('/').pop()));
      await clickAndWait(page, '#upload-file-1 a.upload-file-watch');
      assert.match(pathOf(page), /^\/w\/[^/]+$/);
      short = pathOf(page).split('/').pop();
      assert.equal(await text(page, 'h1'), TITLE);
      const saved = await api.get(`/videos/${short}`);
      assert.deepEqual([saved.name, saved.description, [...saved.tags].sort()], [TITLE, `Un clip de test (${lang})`, ['cabane', 'été']]);
      // The other files are titled from their names (upload.js).
      for (const [i, f] of files.entries()) {
        if (i === 0) continue;
        const other = links[i];
        assert.equal((await api.get(`/videos/${other}`)).name, f.title);
      }
    });

    const video = await step('the video publishes with two qualities', async () => {
      const v = await until('the video to publish', async () => {
        const got = await api.get(`/videos/${short}`);
        return got.state.id === 1 && got.streamingPlaylists?.[0]?.files?.length >= 2 && got;
      });
      // The master playlist the player reads lists both rungs too.
      await until('a two-rung master playlist', async () => {
        const res = await page.request.get(`${base}${new URL(v.streamingPlaylists[0].playlistUrl, base).pathname}`);
        return (await res.text()).split('#EXT-X-STREAM-INF').length - 1 >= 2;
      });
      return v;
    });

    await step('a caption goes up through the API', async () => {
      await api.put(`/videos/${video.uuid}/captions/fr`, { captionfile: { name: 'fr.vtt', mimeType: 'text/vtt', buffer: Buffer.from(CAPTION) } });
    });

    await step('the watch page fetches nothing of the video before play, then plays past 2 s', async () => {
      // The master playlist may be cached with one rung from upload time:
      // load the page as a viewer arriving later would.
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable'); // setCacheDisabled needs it on
      await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
      net.clear();
      await page.goto(`${base}/w/${short}`, { waitUntil: 'networkidle' });
      const before = net.all().filter((p) => isSegment(p) || /\.m3u8$|hls\.min[^/]*\.js$/.test(p));
      assert.deepEqual(before, [], 'no hls.js, playlist or segment before play');
      assert.equal(await page.locator('select.quality-select').count(), 0, 'no quality menu before the playlist is read');
      const state = await playPast(page, 2);
      await cdp.send('Network.setCacheDisabled', { cacheDisabled: false });
      await cdp.detach();
      t.diagnostic(`${lang} watch playback: ${JSON.stringify(state)}`);
      assert.ok(net.segments().length > 0, 'segments load once playing');
    });

    await step('the quality menu switches to the lowest rung', async () => {
      await page.waitForSelector('select.quality-select');
      assert.match(await text(page, '.player-quality label'), new RegExp(`^${w.quality}`));
      const options = await page.$$eval('select.quality-select option', (os) => os.map((o) => ({ value: o.value, label: o.textContent })));
      assert.deepEqual(options.slice(1).map((o) => o.label), ['480p', '360p']);
      await page.selectOption('select.quality-select', options.at(-1).value);
      await page.evaluate(() => {
        const v = document.querySelector('video#player');
        v.currentTime = 0;
        v.play().catch(() => {});
      });
      await page.waitForFunction(() => document.querySelector('video#player').videoHeight === 360, null, { timeout: 30_000 });
    });

    await step('the captions menu turns the French track on and its cue shows', async () => {
      const options = await page.$$eval('select.captions-select option', (os) => os.map((o) => o.value));
      assert.equal(options.length, 2, `Off and one track: ${options}`);
      await page.selectOption('select.captions-select', options[1]);
      const cue = await page.waitForFunction(
        () => {
          const v = document.querySelector('video#player');
          const track = [...v.textTracks].find((tt) => tt.kind === 'subtitles');
          if (!track || track.mode !== 'showing') return false;
          // Keep it playing inside the cue (0 to 30 s of a 10 s clip).
          if (v.ended || v.paused) {
            v.currentTime = 1;
            v.play().catch(() => {});
          }
          return track.activeCues && track.activeCues.length > 0 && track.activeCues[0].text;
        },
        null,
        { timeout: 30_000, polling: 200 },
      );
      assert.equal(await cue.jsonValue(), 'Bonjour les sous-titres');
      await shot('watch-captions');
    });

    let embedSrc;
    await step('the share block: link, copy, start at, embed code', async () => {
      await page.click('#share summary');
      const link = new URL(await page.inputValue('#share-url'));
      assert.equal(link.pathname, `/w/${short}`);
      await page.click('button.copy[data-copy=share-url]');
      await page.waitForFunction((want) => document.getElementById('share-status').textContent === want, w.copied);
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), link.href, 'the link is on the clipboard');
      // "Start at" puts the player's time into the link and the embed code.
      await page.evaluate(() => {
        const v = document.querySelector('video#player');
        v.pause();
        v.currentTime = 3.4;
      });
      await page.check('#share-start');
      assert.equal(new URL(await page.inputValue('#share-url')).searchParams.get('start'), '3');
      const iframeSrc = async () => {
        const code = await page.inputValue('#share-embed');
        return page.evaluate((html) => new DOMParser().parseFromString(html, 'text/html').querySelector('iframe').src, code);
      };
      assert.equal(new URL(await iframeSrc()).searchParams.get('start'), '3');
      await page.uncheck('#share-start');
      embedSrc = await iframeSrc();
      assert.ok([`/videos/embed/${video.uuid}`, `/videos/embed/${short}`].includes(new URL(embedSrc).pathname), `the embed code shows the embed page: ${embedSrc}`);
    });

    await step('a comment and a reply', async () => {
      await page.fill('#comment-text', 'Premier commentaire');
      await clickAndWait(page, `.comments > form.comment-form button[type=submit]:text-is("${w.post}")`);
      const thread = page.locator('.comment-list > li.comment').first();
      assert.equal((await thread.locator('.comment-text').first().textContent()).trim(), 'Premier commentaire');
      await thread.locator('details.reply summary').first().click();
      await thread.locator('details.reply textarea').first().fill('Une réponse');
      await clickAndWait(page, `.comment-list details.reply button:text-is("${w.reply}")`);
      assert.equal((await text(page, '.comment-list.replies .comment-text')), 'Une réponse');
    });

    await step('report the comment through its form; the moderation queue shows it', async () => {
      const id = (await page.locator('.comment-list > li.comment').first().getAttribute('id')).slice('c-'.length);
      const form = page.locator(`#report-c-${id}`);
      await form.locator('summary').click();
      await form.locator('input[name=predefinedReasons]').first().check();
      await form.locator('textarea[name=reason]').fill(`Signalement de test ${lang}`);
      await clickAndWait(page, `#report-c-${id} button[type=submit]`);
      // Back on the video's page (PeerTube's /videos/watch/<uuid> is one of its addresses), thanked.
      assert.ok([`/w/${short}`, `/videos/watch/${video.uuid}`].includes(pathOf(page)), `back on the watch page: ${pathOf(page)}`);
      assert.equal(await text(page, 'h1'), TITLE);
      assert.ok((await text(page, 'main')).includes(w.reported), 'the page says the report was sent');
      await page.goto(`${base}/admin/moderation`);
      assert.ok((await text(page, 'main')).includes(`Signalement de test ${lang}`), 'the report is in the queue');
      await shot('moderation');
      await page.goto(`${base}/w/${short}`);
    });

    await step('like', async () => {
      await clickAndWait(page, 'button.rate.like');
      assert.equal(await page.getAttribute('button.rate.like', 'aria-pressed'), 'true');
      assert.equal(await text(page, 'button.rate.like .count'), '1');
      assert.match(await text(page, 'button.rate.like'), new RegExp(w.like));
    });

    await step('subscribe', async () => {
      assert.equal(await text(page, 'form.my-subscribe button'), w.subscribe);
      await clickAndWait(page, 'form.my-subscribe button');
      assert.equal(await text(page, 'form.my-subscribe button'), w.unsubscribe);
      await page.goto(`${base}/my/subscriptions`);
      assert.ok(await page.locator('main a[href="/c/alice_videos"]').count(), 'the channel is in my subscriptions');
    });

    await step('search finds the video with and without accents', async () => {
      for (const q of ['ete', 'Été', 'cabane']) {
        await page.goto(`${base}/`);
        await page.fill('#site-search-input', q);
        await submit(page, 'form.site-search', (u) => u.pathname === '/search');
        assert.ok(await page.locator(`main a[href="/w/${short}"]`).count(), `"${q}" finds the video`);
      }
    });

    await step('add it to Watch later', async () => {
      await page.goto(`${base}/w/${short}`);
      await page.click('details.my-add-playlist summary');
      await page.selectOption('#my-playlist-pick', 'watch-later');
      await clickAndWait(page, 'details.my-add-playlist button[type=submit]');
      await page.goto(`${base}/my/playlists`);
      await clickAndWait(page, `.my-playlists a:text-is("${w.watchLater}")`);
      assert.ok(await page.locator(`main a[href="/w/${short}"]`).count(), 'the playlist holds the video');
    });

    await step('edit its title and tags on my videos', async () => {
      await page.goto(`${base}/my/videos`);
      await clickAndWait(page, `#v-${short} .my-actions a`);
      await page.fill('#f-name', `${TITLE} (modifié)`);
      await page.fill('#f-tags', 'cabane, test');
      await clickAndWait(page, 'form.my-edit button[type=submit]');
      await page.goto(`${base}/w/${short}`);
      assert.equal(await text(page, 'h1'), `${TITLE} (modifié)`);
    });

    await step('the embed code\'s page fetches nothing of the video before play, then plays', async () => {
      const embed = await context.newPage();
      const enet = recordRequests(embed);
      await embed.goto(embedSrc, { waitUntil: 'networkidle' });
      const media = enet.all().filter((p) => isSegment(p) || /\.m3u8$|hls\.min[^/]*\.js$/.test(p));
      assert.deepEqual(media, [], 'nothing of the video before play');
      await assertAccessible(embed, `embed (${lang})`);
      await embed.click('.embed-play');
      await playPast(embed, 2);
      assert.ok(enet.segments().length > 0, 'segments load once play is pressed');
      await embed.close();
    });

    await step('delete the video from my videos', async () => {
      await page.goto(`${base}/my/videos`);
      // my.js asks in a dialog instead of the checkbox.
      page.once('dialog', (d) => d.accept());
      await clickAndWait(page, `#v-${short} form.my-delete button[type=submit]`);
      assert.equal(await page.locator(`#v-${short}`).count(), 0, 'gone from my videos');
      assert.equal(await api.status(`/videos/${short}`), 404);
    });

    assert.deepEqual(errors, [], 'no uncaught errors in the pages');
  } catch (err) {
    await shot('failure').catch(() => {});
    throw err;
  } finally {
    await context.close();
  }
}

test('the owner story in English', async (t) => story(t, 'en'));

test('the owner story in French', async (t) => story(t, 'fr'));

test('every page: axe-core, screenshots at phone and desktop widths, light and dark', async (t) => {
  const { base } = SERVERS.en;
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = watchPage(page);
  try {
    // A context of its own: logged out first, for the login page.
    await page.goto(`${base}/login`);
    await capture(page, 'login');
    await page.fill('#login-form input[name=username]', 'alice');
    await page.fill('#login-form input[name=password]', 'correct horse battery staple');
    await submit(page, '#login-form', (u) => u.pathname === '/');
    const api = apiOf(page, base);

    // A video to show: the story deleted its own.
    const channel = await api.get('/video-channels/alice_videos');
    const up = await api.upload({
      channelId: String(channel.id),
      name: 'Cabane au bord du lac',
      description: 'Une **description** en Markdown.',
      'tags[]': 'cabane',
      videofile: { name: 'lac.mp4', mimeType: 'video/mp4', buffer: await readFile(CLIP) },
    });
    const short = up.video.shortUUID;
    await until('the tour video to publish', async () => (await api.get(`/videos/${short}`)).state.id === 1);
    await api.post(`/videos/${short}/comment-threads`, { text: 'Un commentaire pour la visite' });
    // A public playlist holding it, for the playlist page.
    const { videoPlaylist } = await api.post('/video-playlists', { displayName: 'Au bord du lac', privacy: 1, videoChannelId: channel.id });
    await api.post(`/video-playlists/${videoPlaylist.id}/videos`, { videoId: up.video.id });

    // Support (#11): the channel's text and a link, set through the
    // settings form, so the watch, channel and embed pages show them; the
    // Support block opens from the keyboard, and the embed's end screen
    // shows when the video ends.
    await step('support links: set on /my/support, opened from the keyboard, on the embed end screen', async () => {
      await page.goto(`${base}/my/support`);
      const form = page.locator('form.support-form').first();
      await form.locator('textarea[name=support]').fill('Merci **beaucoup** !');
      await form.locator('select[name=kind]').first().selectOption('liberapay');
      await form.locator('input[name=value]').first().fill('https://liberapay.com/alice');
      await Promise.all([page.waitForURL((u) => u.search === '?done=saved'), form.locator('button[type=submit]').click()]);
      await page.goto(`${base}/w/${short}`);
      await page.focus('#support summary');
      await page.keyboard.press('Enter');
      const link = page.locator('#support a[rel~=payment]');
      assert.ok(await link.isVisible(), 'the Support block opens with Enter');
      assert.equal(await link.getAttribute('href'), 'https://liberapay.com/alice');
      await page.goto(`${base}/videos/embed/${short}`, { waitUntil: 'networkidle' });
      assert.ok(!(await page.locator('#embed-end').isVisible()), 'no end screen before the end');
      await page.$eval('#player', (v) => v.dispatchEvent(new Event('ended')));
      assert.ok(await page.locator('#embed-end a').isVisible(), 'the end screen shows the Support link');
      assert.match(await page.locator('#embed-end a').getAttribute('href'), /#support$/);
    });

    const pages = [
      ['home', '/'],
      ['search', '/search?search=ete'],
      ['tag', '/videos/tags/cabane'],
      ['trending', '/videos/trending'],
      ['recently-added', '/videos/recently-added'],
      ['watch', `/w/${short}`],
      ['playlist', `/w/p/${videoPlaylist.shortUUID}`],
      ['embed', `/videos/embed/${short}`],
      ['channel', '/c/alice_videos'],
      ['account', '/a/alice'],
      ['upload', '/upload'],
      ['my-videos', '/my/videos'],
      ['my-playlists', '/my/playlists'],
      ['my-subscriptions', '/my/subscriptions'],
      ['my-notifications', '/my/notifications'],
      ['my-settings', '/my/settings'],
      ['my-support', '/my/support'],
      ['my-notification-settings', '/my/settings/notifications'],
      ['about', '/about'],
      ['admin-overview', '/admin'],
      ['admin-transcoding', '/admin/transcoding'],
      ['admin-update', '/admin/update'],
      ['admin-instance', '/admin/instance'],
      ['admin-users', '/admin/users'],
      ['admin-moderation', '/admin/moderation'],
      ['admin-federation', '/admin/federation'],
    ];
    const problems = [];
    for (const [name, path] of pages) {
      await step(`${name} (${path})`, async () => {
        const res = await page.goto(`${base}${path}`, { waitUntil: 'networkidle' });
        assert.equal(res.status(), 200);
        assert.equal(pathOf(page), path.split('?')[0], 'no redirect');
        await capture(page, name, { problems });
      });
    }
    await step('error page', async () => {
      const res = await page.goto(`${base}/w/no-such-video`);
      assert.equal(res.status(), 404);
      await capture(page, 'error', { problems });
    });
    assert.deepEqual(problems, [], 'no serious or critical axe-core violation, no sideways scrolling on a phone, on any page');
    assert.deepEqual(errors, [], 'no uncaught errors in the pages');
  } finally {
    await context.close();
  }
});
