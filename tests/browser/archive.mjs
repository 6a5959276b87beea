// The 档案管理员's pages walked in a real browser (Debian's chromium through playwright-core):
// 待归档 → the file → 归档 under a 档号; 保管期限; 完整性巡检 run now; 销毁审批, where a disposal
// of a recording still held (six months for one of no case) is refused in Chinese.
//
//   LIUHEN_URL=http://127.0.0.1:8080 LIUHEN_USER=dangan LIUHEN_PASSWORD=... LIUHEN_RECORDING=id node archive.mjs
//
// Prints the 档号 given on the last line. On failure, saves a screenshot of the page in
// $LIUHEN_SCREENSHOTS (default: ./screenshots) and exits non-zero.
import { launch, screenshot, settings } from './common.mjs';

const { base, user, password, shots } = settings('dangan');
const browser = await launch();
const page = await browser.newPage({ locale: 'zh-CN' });
let step = 'start';
function expect(cond, what) {
  if (!cond) throw new Error(`${step}: ${what}`);
}

try {
  step = 'sign-in';
  await page.goto(`${base}/login`);
  await page.fill('input[name=username]', user);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForURL(`${base}/password`), page.click('button[type=submit]')]);
  await page.fill('input[name=current]', password);
  await page.fill('input[name=new]', `${password}-new`);
  await page.fill('input[name=confirm]', `${password}-new`);
  await Promise.all([page.waitForURL(`${base}/`), page.click('form[action="/password"] button')]);

  step = 'waiting';
  await page.click('nav >> text=案卷归档');
  expect((await page.textContent('h1'))?.includes('案卷归档'), 'the archive list');
  const tabs = await page.textContent('#archive-tabs');
  for (const t of ['待归档', '已归档', '保管期限', '销毁审批', '完整性巡检']) expect(tabs?.includes(t), `the ${t} tab`);
  const waiting = page.locator('table.archive tbody tr a');
  expect(await waiting.count() === 1, 'the demo file handed over waits');
  const caseNo = (await waiting.first().textContent()).trim();
  await waiting.first().click();

  step = 'file';
  expect((await page.textContent('#file-state'))?.includes('已移交'), 'the file is handed over');
  expect((await page.textContent('table.toc'))?.includes('行政检查结果告知书'), 'its 卷内目录 lists the notice');
  await page.selectOption('select[name=retention]', 'D30');
  await Promise.all([page.waitForURL(/\/archive$/), page.click('#file-case')]);
  const archiveNo = (await page.textContent('#archive-no')).trim();
  expect(/^0001-\d{4}-D30-\d{4}$/.test(archiveNo), `a 档号 in its form: ${archiveNo}`);
  expect((await page.textContent('main'))?.includes('备考表'), 'the 备考表 is shown');

  step = 'filed';
  await page.click('nav >> text=案卷归档');
  await page.click('#archive-tabs >> text=已归档');
  expect((await page.textContent('table.archive'))?.includes(archiveNo), 'the filed list names it');

  step = 'retention';
  await page.click('#archive-tabs >> text=保管期限');
  expect((await page.textContent('table.retention-table'))?.includes('永久'), 'the retention table');
  await page.fill('input[name=days]', '20000');
  await page.click('form.filters button');
  const expiring = await page.textContent('#expiring');
  expect(expiring?.includes(caseNo) && expiring.includes('-12-31'), `the file runs out at a year's end: ${expiring}`);

  step = 'fixity';
  await page.click('#archive-tabs >> text=完整性巡检');
  await Promise.all([page.waitForURL(/\/archive\/fixity$/), page.click('#run-fixity')]);
  expect((await page.textContent('#fixity-result'))?.includes('全部一致'), 'every stored file agrees with the log');

  step = 'disposal-held';
  // A recording stored today, of no case (its id from the test): held for six months.
  const recId = process.env.LIUHEN_RECORDING;
  await page.click('#archive-tabs >> text=销毁审批');
  expect(await page.locator('#disposals-empty').count() === 1, 'nothing waits for approval');
  await page.fill('#recording', recId);
  await page.fill('#reason', '保管期限届满，经鉴定无保存价值');
  await page.click('#request-disposal button');
  const said = await page.textContent('main');
  expect(said?.includes('未关联案件的音像记录至少保存六个月'), `a held recording is refused, in Chinese: ${said}`);

  console.log(archiveNo);
} catch (e) {
  const file = await screenshot(page, shots, `archive-${step}.png`);
  console.error(`${String(e?.stack ?? e)}\nscreenshot: ${file}`);
  console.error(`(page: ${page.url()})`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
