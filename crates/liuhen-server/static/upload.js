// liuhen: uploads 音像记录 from the browser over tus 1.0.0 (/api/uploads), in chunks, with
// progress, resuming an interrupted file from the server's offset (its upload URL is kept in
// localStorage under the file's name, size and date). The only script of the UI.
"use strict";
(function () {
  const form = document.getElementById("upload");
  const list = document.getElementById("upload-progress");
  if (!form || !list) return;
  const CHUNK = 8 << 20;
  // The session's CSRF token (the same the page's forms carry): the server refuses a
  // cookie-authenticated change without it.
  const CSRF = (document.querySelector("input[name=csrf]") || {}).value || "";
  const TUS = { "Tus-Resumable": "1.0.0", "X-CSRF-Token": CSRF };
  const META = ["case", "device", "officers", "started_at", "ended_at", "place", "late_explanation"];

  function b64(s) {
    const bytes = new TextEncoder().encode(s);
    let bin = "";
    for (const b of bytes) bin += String.fromCharCode(b);
    return btoa(bin);
  }

  async function failure(r) {
    try {
      const e = await r.json();
      return (e.error && e.error.message) || ("服务器返回 " + r.status);
    } catch (_) {
      return "服务器返回 " + r.status;
    }
  }

  function patch(url, offset, blob, onProgress) {
    return new Promise((resolve, reject) => {
      const x = new XMLHttpRequest();
      x.open("PATCH", url);
      x.setRequestHeader("Tus-Resumable", "1.0.0");
      x.setRequestHeader("X-CSRF-Token", CSRF);
      x.setRequestHeader("Upload-Offset", String(offset));
      x.setRequestHeader("Content-Type", "application/offset+octet-stream");
      x.upload.onprogress = (e) => onProgress(offset + e.loaded);
      x.onload = () => resolve(x);
      x.onerror = () => reject(new Error("网络中断，可重新上传以续传"));
      x.send(blob);
    });
  }

  async function send(file, fields) {
    const li = document.createElement("li");
    const name = document.createElement("span");
    name.textContent = file.name + " ";
    const bar = document.createElement("progress");
    bar.max = file.size;
    bar.value = 0;
    const status = document.createElement("span");
    status.className = "status";
    status.textContent = " 准备中";
    li.append(name, bar, status);
    list.append(li);
    const show = (n) => {
      bar.value = n;
      status.textContent = " " + Math.floor((100 * n) / file.size) + "%";
    };
    const key = "liuhen-upload:" + file.name + ":" + file.size + ":" + file.lastModified;
    let url = localStorage.getItem(key);
    let offset = 0;
    if (url) {
      const h = await fetch(url, { method: "HEAD", headers: TUS });
      if (h.ok) offset = Number(h.headers.get("Upload-Offset"));
      else url = null;
    }
    if (!url) {
      const meta = [["filename", file.name], ["filetype", file.type || "application/octet-stream"]];
      for (const k of META) if (fields.get(k)) meta.push([k, String(fields.get(k))]);
      const r = await fetch("/api/uploads", {
        method: "POST",
        headers: Object.assign({ "Upload-Length": String(file.size), "Upload-Metadata": meta.map(([k, v]) => k + " " + b64(v)).join(",") }, TUS),
      });
      if (r.status !== 201) throw new Error(await failure(r));
      url = r.headers.get("Location");
      localStorage.setItem(key, url);
    }
    show(offset);
    let recording = null;
    let retries = 0;
    while (offset < file.size) {
      const x = await patch(url, offset, file.slice(offset, offset + CHUNK), show);
      if ((x.status === 409 || x.status === 423) && retries < 3) {
        // The server holds another offset, or another request is still writing: ask where it
        // is and go on from there.
        retries += 1;
        await new Promise((r) => setTimeout(r, 500 * retries));
        const h = await fetch(url, { method: "HEAD", headers: TUS });
        if (h.ok) {
          offset = Number(h.headers.get("Upload-Offset"));
          continue;
        }
      }
      if (x.status !== 204) {
        let m = "服务器返回 " + x.status;
        try { m = JSON.parse(x.responseText).error.message || m; } catch (_) { /* keep the status */ }
        if (x.status !== 423) localStorage.removeItem(key);
        throw new Error(m);
      }
      offset = Number(x.getResponseHeader("Upload-Offset"));
      recording = x.getResponseHeader("Liuhen-Recording") || recording;
      show(offset);
    }
    localStorage.removeItem(key);
    status.textContent = " 已存储 ";
    if (recording) {
      const a = document.createElement("a");
      a.href = "/recordings/" + recording;
      a.textContent = "查看";
      a.className = "stored";
      status.append(a);
    }
  }

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const fields = new FormData(form);
    const files = Array.from(form.querySelector("input[type=file]").files);
    for (const file of files) {
      try {
        await send(file, fields);
      } catch (e) {
        const li = document.createElement("li");
        li.className = "error";
        li.setAttribute("role", "alert");
        li.textContent = file.name + "：" + e.message;
        list.append(li);
      }
    }
  });
})();
