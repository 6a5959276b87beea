// The UI walked in a real browser (Debian's chromium through playwright-core): sign in, find
// the demo cases, search, open a case, and see this very view in its access ledger; make a
// document and sign it on the signing pad, issue a notice under the seal and serve it; record a video in the browser, upload it with
// progress — resuming it after the network drops — and play it back.
//
//   LIUHEN_URL=http://127.0.0.1:8080 LIUHEN_USER=admin LIUHEN_PASSWORD=... node walk.mjs
//
// Prints the opened case's id on the last line. On failure, saves a screenshot of the page in
// $LIUHEN_SCREENSHOTS (default: ./screenshots) and exits non-zero.
import { launch, screenshot, settings } from './common.mjs';

const { base, user, password, shots } = settings('admin');
const browser = await launch();
const page = await browser.newPage({ locale: 'zh-CN' });
let step = 'start';
function expect(cond, what) {
  if (!cond) throw new Error(`${step}: ${what}`);
}
// The first sign-in's required password change, to `<password>-new`, landing on the 工作台.
async function changeFirstPassword(p) {
  await p.fill('input[name=current]', password);
  await p.fill('input[name=new]', `${password}-new`);
  await p.fill('input[name=confirm]', `${password}-new`);
  await Promise.all([p.waitForURL(`${base}/`), p.click('form[action="/password"] button')]);
}

try {
  step = 'unsigned';
  await page.goto(`${base}/cases`);
  expect(page.url().endsWith('/login'), `an unsigned visit goes to the sign-in page, not ${page.url()}`);

  step = 'wrong-password';
  await page.fill('input[name=username]', user);
  await page.fill('input[name=password]', 'not-the-password');
  await page.click('button[type=submit]');
  expect((await page.textContent('.error'))?.includes('用户名或密码错误'), 'a wrong password is refused in Chinese');

  step = 'sign-in';
  await page.fill('input[name=username]', user);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForURL(`${base}/password`), page.click('button[type=submit]')]);

  step = 'first-password';
  expect((await page.textContent('main'))?.includes('首次登录须先修改初始密码'), 'the initial password must be changed first');
  await page.fill('input[name=current]', password);
  await page.fill('input[name=new]', `${password}-new`);
  await page.fill('input[name=confirm]', `${password}-typo`);
  await page.click('form[action="/password"] button');
  expect((await page.textContent('.error'))?.includes('两次输入的新密码不一致'), 'a mistyped confirmation is refused');
  await changeFirstPassword(page);
  expect((await page.textContent('h1'))?.includes('工作台'), 'the home page is the 工作台');
  expect(await page.locator('table.deadlines tr.overdue').count() > 0, 'overdue deadlines are listed');

  step = 'case-list';
  await page.click('nav >> text=案件');
  const rows = await page.locator('table.cases tbody tr').count();
  expect(rows >= 10, `the demo cases are listed (${rows})`);

  step = 'search';
  await page.fill('input[name=q]', '违法建设');
  await page.selectOption('select[name=type]', 'ordinary_penalty');
  await page.click('form.filters button');
  const found = await page.locator('table.cases tbody tr').count();
  expect(found > 0 && found < rows, `the search narrows the list (${found} of ${rows})`);

  step = 'case-page';
  const link = page.locator('table.cases tbody tr a').first();
  const caseNo = (await link.textContent()).trim();
  await link.click();
  expect((await page.textContent('h1'))?.includes(caseNo), `the case page shows ${caseNo}`);
  const id = page.url().split('/cases/')[1];
  expect(await page.locator('ol.timeline li').count() > 3, 'the timeline lists the steps');
  const ledger = await page.locator('table.ledger tbody tr').allTextContents();
  expect(ledger.some((r) => r.includes(user) && r.includes('查阅') && r.includes('页面查阅')),
    `this view is in the ledger: ${JSON.stringify(ledger)}`);

  step = 'new-case';
  await page.goto(`${base}/cases`);
  await page.click('a.new');
  await page.fill('input[name=case_no]', '栗街检〔2026〕901号');
  await page.fill('input[name=matter]', '消防安全检查');
  await page.selectOption('select[name=kind]', 'routine');
  await page.fill('textarea[name=basis]', '第四季度消防安全检查计划');
  await page.selectOption('select[name=source]', 'inspection');
  await page.fill('textarea[name=reason]', '季度例行检查');
  await page.fill('input[name=received_at]', '2026-11-19T09:00');
  await Promise.all([page.waitForURL(/\/cases\/[0-9a-f-]+$/), page.click('form.command button[type=submit]')]);
  expect((await page.textContent('h1'))?.includes('栗街检〔2026〕901号'), 'the new case is shown');

  step = 'refusal';
  await page.click('ul.actions >> text=现场检查');
  await page.fill('input[name="act.at"]', '2026-11-20T09:00');
  await page.fill('input[name="act.place"]', '栗乡街道幸福小区');
  await page.locator('input[name="act.officers"]').nth(0).check();
  await page.check('input[name="act.recording_announced"]');
  await page.fill('textarea[name="act.summary"]', '消防通道畅通，未发现问题');
  await page.click('form.command button[type=submit]');
  const beside = await page.textContent('[data-field="act.officers"] .field-error');
  expect(beside?.includes('R-001') && beside.includes('执法人员不得少于两人'), `the refusal is beside the officers: ${beside}`);

  step = 'one-stage';
  await page.locator('input[name="act.officers"]').nth(1).check();
  await Promise.all([page.waitForURL(/\/cases\/[0-9a-f-]+$/), page.click('form.command button[type=submit]')]);
  expect((await page.textContent('dd.state'))?.includes('已现场检查'), 'the case moved to the next stage');
  expect((await page.textContent('ol.timeline'))?.includes('现场检查'), 'and the step is in its timeline');

  step = 'officer';
  // The officers draft the case's documents (办法第十五条): 王明 signs in on his own page.
  const caseUrl = page.url();
  const op = await browser.newPage({ locale: 'zh-CN' });
  await op.goto(`${base}/login`);
  await op.fill('input[name=username]', 'wangming');
  await op.fill('input[name=password]', password);
  await Promise.all([op.waitForURL(`${base}/password`), op.click('button[type=submit]')]);
  await changeFirstPassword(op);
  await op.goto(caseUrl);

  step = 'document';
  // A 现场检查笔录 for the new case: filled, previewed as PDF, signed by the party on the pad.
  await op.click('#documents a.new');
  await op.click('text=现场检查（勘验）笔录');
  await op.fill('input[name="f.at"]', '2026-11-20 09:00');
  await op.fill('input[name="f.place"]', '栗乡街道幸福小区');
  await op.fill('input[name="f.officers"]', '王明 13020001、李华 13020002');
  await op.fill('input[name="f.party"]', '幸福小区物业服务中心');
  await op.fill('textarea[name="f.notice"]', '已出示执法证件，告知当事人权利');
  await op.fill('textarea[name="f.findings"]', '消防通道畅通，灭火器在有效期内');
  await Promise.all([op.waitForURL(/\/documents\/doc-[0-9a-f]+$/), op.click('form.command button[type=submit]')]);
  expect((await op.textContent('h1'))?.includes('现场检查（勘验）笔录'), 'the document page is shown');
  expect((await op.textContent('#missing'))?.includes('当事人签名'), 'what is still missing is listed');
  const pdf = await op.request.get(base + await op.getAttribute('#pdf', 'href'));
  const pdfBytes = await pdf.body();
  expect(pdf.headers()['content-type'] === 'application/pdf' && pdfBytes.subarray(0, 5).toString() === '%PDF-',
    'the preview is a PDF');
  await op.selectOption('#sign-form select[name=role]', 'party');
  await op.fill('#sign-form input[name=name]', '赵某某');
  await op.locator('#pad').scrollIntoViewIfNeeded();
  const pad = await op.locator('#pad').boundingBox();
  await op.mouse.move(pad.x + 30, pad.y + 100);
  await op.mouse.down();
  for (let i = 1; i <= 12; i++) await op.mouse.move(pad.x + 30 + i * 25, pad.y + 100 - (i % 3) * 25);
  await op.mouse.up();
  await op.click('#sign-form button[type=submit]');
  await op.waitForSelector('#signatures tbody tr');
  const signed = await op.textContent('#signatures');
  expect(signed?.includes('赵某某') && signed.includes('签名板'), `the pad's signature is listed: ${signed}`);

  step = 'issue';
  // A notice to the party: finalised, sealed and issued, then served with a 送达回证.
  await op.click('text=返回案件');
  await op.click('#documents a.new');
  await op.click('text=行政检查结果告知书');
  await op.fill('input[name="f.party"]', '幸福小区物业服务中心');
  await op.fill('textarea[name="f.findings"]', '消防通道畅通，灭火器在有效期内');
  await op.fill('textarea[name="f.measures"]', '无需整改');
  await op.fill('textarea[name="f.rights"]', '对检查结果有异议的，可在收到本告知书之日起十日内申请复查');
  await Promise.all([op.waitForURL(/\/documents\/doc-[0-9a-f]+$/), op.click('form.command button[type=submit]')]);
  await Promise.all([op.waitForSelector('input[name=doc_no]'), op.click('#finalise')]);
  // Issued under the seal by the 负责人 (办法第十三条、第十五条), on their own page.
  const notice = op.url();
  await page.goto(notice);
  await page.fill('input[name=doc_no]', '栗街检告〔2026〕901号');
  await Promise.all([page.waitForSelector('#serve'), page.click('#issue')]);
  const issuedText = await page.textContent('main');
  expect(issuedText.includes('已签发') && issuedText.includes('栗街检告〔2026〕901号') && issuedText.includes('下载电子签章'),
    'the notice is issued under the seal');
  // Served by the officer: the 送达回证 starts from the issued notice.
  await op.goto(notice);
  await op.click('#serve');
  expect((await op.inputValue('input[name="f.document"]')).includes('栗街检告〔2026〕901号'), 'the 送达回证 names what it serves');
  await op.fill('input[name="f.served_at"]', '2026-11-21 10:00');
  await op.fill('input[name="f.place"]', '幸福小区物业服务中心');
  await op.selectOption('select[name="f.method"]', '直接送达');
  await Promise.all([op.waitForURL(/\/documents\/doc-[0-9a-f]+$/), op.click('form.command button[type=submit]')]);
  expect((await op.textContent('h1'))?.includes('送达回证'), 'the 送达回证 is made');

  step = 'upload';
  await page.click('nav >> text=音像记录');
  // A real video, made in this browser: a canvas animated for 1.5 s, recorded as WebM.
  const webm = await page.evaluate(async () => {
    const c = document.createElement('canvas');
    c.width = 320;
    c.height = 240;
    const g = c.getContext('2d');
    const rec = new MediaRecorder(c.captureStream(25), { mimeType: 'video/webm' });
    const parts = [];
    rec.ondataavailable = (e) => parts.push(e.data);
    const stopped = new Promise((r) => { rec.onstop = r; });
    let f = 0;
    const draw = () => {
      g.fillStyle = `hsl(${(f * 12) % 360} 80% 50%)`;
      g.fillRect(0, 0, 320, 240);
      g.fillStyle = '#fff';
      g.fillText(`liuhen ${f++}`, 20, 120);
    };
    draw();
    rec.start(100);
    const timer = setInterval(draw, 40);
    await new Promise((r) => setTimeout(r, 1500));
    rec.stop();
    clearInterval(timer);
    await stopped;
    return Array.from(new Uint8Array(await new Blob(parts).arrayBuffer()));
  });
  expect(webm.length > 1000, `the browser recorded a video (${webm.length} bytes)`);
  await page.setInputFiles('#upload input[type=file]',
    { name: 'DSJ-001_浏览器录制.webm', mimeType: 'video/webm', buffer: Buffer.from(webm) });
  await page.fill('#upload input[name=device]', 'DSJ-001');
  await page.fill('#upload input[name=officers]', '王明、李华');
  // The network drops the first PATCH: the page says so, and sending again resumes the same
  // upload from the server's offset (HEAD) instead of starting a new one.
  const seen = { post: 0, head: 0, patch: 0 };
  await page.route('**/api/uploads**', (route) => {
    const m = route.request().method();
    if (m === 'POST') seen.post += 1;
    if (m === 'HEAD') seen.head += 1;
    if (m === 'PATCH' && seen.patch++ === 0) return route.abort('connectionreset');
    return route.continue();
  });
  await page.click('#upload button[type=submit]');
  await page.waitForSelector('#upload-progress li.error');
  expect((await page.textContent('#upload-progress li.error'))?.includes('网络中断'), 'the dropped upload is reported');
  await page.click('#upload button[type=submit]');
  await page.waitForSelector('#upload-progress a.stored', { timeout: 60000 });
  expect(seen.post === 1 && seen.head === 1 && seen.patch === 2,
    `the second attempt resumed the first upload: ${JSON.stringify(seen)}`);
  await page.unroute('**/api/uploads**');
  const progress = page.locator('#upload-progress progress').last();
  expect(await progress.evaluate((p) => p.max > 0 && p.value === p.max), 'the progress bar reached the end');

  step = 'play';
  await Promise.all([page.waitForURL(/\/recordings\/[0-9a-f-]+$/), page.click('#upload-progress a.stored')]);
  expect((await page.textContent('main'))?.includes('DSJ-001'), 'the recording page shows what the upload said');
  await page.fill('form.play input[name=purpose]', '浏览器测试播放');
  await Promise.all([page.waitForSelector('video'), page.click('form.play button')]);
  const played = await page.evaluate(async () => {
    const v = document.querySelector('video');
    v.muted = true;
    await v.play();
    await new Promise((r) => setTimeout(r, 1000));
    return { t: v.currentTime, ready: v.readyState, error: v.error && v.error.code, w: v.videoWidth };
  });
  expect(played.t > 0 && !played.error && played.w === 320, `the video plays in the page: ${JSON.stringify(played)}`);

  step = 'hostile-query';
  await page.goto(`${base}/cases?q=${encodeURIComponent('<script>window.pwned=1</script>')}`);
  expect(!(await page.evaluate(() => window.pwned)), 'markup in a query is shown, never run');
  expect((await page.inputValue('input[name=q]')).includes('<script>'), 'and the query is kept as text');

  console.log(id);
} catch (e) {
  const file = await screenshot(page, shots, `failure-${step}.png`);
  console.error(`${e.message}\nscreenshot: ${file}`);
  await browser.close();
  process.exit(1);
}
await browser.close();
