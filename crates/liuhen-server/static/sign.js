// File inputs read into hidden fields, and the signing pad: what is drawn on the canvas (pointer events: finger, pen or mouse) becomes a
// PNG in the form's hidden "image" field when the form is sent; a chosen scan replaces it and
// marks the signature as a paper one. The server binds it to the content's SM3 and the time.
(function () {
  // Any file input marked data-into="<id>" is read into that hidden field as a data: URL.
  document.querySelectorAll("input[type=file][data-into]").forEach(function (input) {
    input.addEventListener("change", function () {
      var f = input.files[0];
      if (!f) return;
      var reader = new FileReader();
      reader.onload = function () { document.getElementById(input.dataset.into).value = reader.result; };
      reader.readAsDataURL(f);
    });
  });
  var form = document.getElementById("sign-form");
  var pad = document.getElementById("pad");
  if (!form || !pad) return;
  var ctx = pad.getContext("2d");
  var drawn = false, down = false, last = null;
  ctx.lineWidth = 2.5; ctx.lineCap = "round"; ctx.strokeStyle = "#000";
  function at(e) {
    var r = pad.getBoundingClientRect();
    return { x: (e.clientX - r.left) * pad.width / r.width, y: (e.clientY - r.top) * pad.height / r.height };
  }
  pad.addEventListener("pointerdown", function (e) { down = true; last = at(e); pad.setPointerCapture(e.pointerId); });
  pad.addEventListener("pointermove", function (e) {
    if (!down) return;
    var p = at(e);
    ctx.beginPath(); ctx.moveTo(last.x, last.y); ctx.lineTo(p.x, p.y); ctx.stroke();
    last = p; drawn = true;
  });
  pad.addEventListener("pointerup", function () { down = false; });
  document.getElementById("pad-clear").addEventListener("click", function () {
    ctx.clearRect(0, 0, pad.width, pad.height); drawn = false;
  });
  var scan = document.getElementById("scan");
  var image = document.getElementById("sign-image");
  var method = document.getElementById("sign-method");
  scan.addEventListener("change", function () {
    var f = scan.files[0];
    if (!f) return;
    var reader = new FileReader();
    reader.onload = function () { image.value = reader.result; method.value = "paper"; };
    reader.readAsDataURL(f);
  });
  form.addEventListener("submit", function (e) {
    if (method.value === "paper" && image.value) return;
    if (!drawn) { e.preventDefault(); alert("请先在签名框内签名，或选择纸质签名扫描件"); return; }
    image.value = pad.toDataURL("image/png");
  });
})();
