// Pensioner verification: record the challenge with the camera (getUserMedia + MediaRecorder),
// one large prompt at a time, and send the video. Without a camera API the upload form stays.
(function () {
  var box = document.getElementById("recorder");
  var challenge = document.getElementById("challenge");
  if (!box || !challenge) return;
  if (!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia && window.MediaRecorder)) return;
  box.hidden = false;
  document.getElementById("upload-title").textContent = "或者上传手机录好的视频";

  var now = document.getElementById("now");
  var preview = document.getElementById("preview");
  var start = document.getElementById("start");
  var stop = document.getElementById("stop");
  var sending = document.getElementById("sending");
  var failure = document.getElementById("camera-error");
  var prompts = Array.prototype.slice.call(document.querySelectorAll("#prompts .prompt"));
  var total = parseInt(challenge.getAttribute("data-seconds"), 10) || 8;
  var lead = 2, step = 3;
  var recorder = null, stream = null, timers = [], chunks = [];

  // Each prompt is also read aloud (适老化), where the browser has a Chinese voice.
  function say(text, aloud) {
    now.textContent = text;
    if (aloud && window.speechSynthesis && window.SpeechSynthesisUtterance) {
      try {
        window.speechSynthesis.cancel();
        var u = new SpeechSynthesisUtterance(text);
        u.lang = "zh-CN";
        u.rate = 0.9;
        window.speechSynthesis.speak(u);
      } catch (e) { /* no voice: the large text is there */ }
    }
  }

  function show(index) {
    prompts.forEach(function (p, i) { p.classList.toggle("current", i === index); p.classList.toggle("done", i < index); });
    say(index < prompts.length ? prompts[index].textContent : "好了，请保持不动", true);
  }

  function pickType() {
    var types = ["video/webm;codecs=vp8", "video/webm", "video/mp4"];
    for (var i = 0; i < types.length; i++) if (MediaRecorder.isTypeSupported(types[i])) return types[i];
    return "";
  }

  function fail(message) {
    failure.textContent = message;
    failure.hidden = false;
    start.disabled = false;
  }

  start.addEventListener("click", function () {
    start.disabled = true;
    failure.hidden = true;
    say("正在打开摄像头…");
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "user", width: { ideal: 640 }, height: { ideal: 480 } }, audio: false })
      .then(function (s) {
        stream = s;
        preview.srcObject = s;
        var type = pickType();
        recorder = new MediaRecorder(s, type ? { mimeType: type, videoBitsPerSecond: 2500000 } : {});
        chunks = [];
        recorder.ondataavailable = function (e) { if (e.data && e.data.size) chunks.push(e.data); };
        recorder.onstop = send;
        recorder.start(1000);
        start.hidden = true;
        stop.hidden = false;
        say("请正对镜头", true);
        prompts.forEach(function (p, i) { timers.push(setTimeout(function () { show(i); }, (lead + i * step) * 1000)); });
        timers.push(setTimeout(function () { show(prompts.length); }, (lead + prompts.length * step) * 1000));
        timers.push(setTimeout(finish, total * 1000));
      })
      .catch(function () {
        fail("无法打开摄像头。请允许本网页使用摄像头后再试，或用下面的方法上传视频。");
        say("准备好后点“开始录制”");
      });
  });

  stop.addEventListener("click", finish);

  function finish() {
    timers.forEach(clearTimeout);
    timers = [];
    if (recorder && recorder.state !== "inactive") recorder.stop();
  }

  function send() {
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    stop.hidden = true;
    say("录制完成");
    sending.hidden = false;
    var type = recorder.mimeType || "video/webm";
    var form = new FormData();
    form.append("csrf", document.querySelector("#upload input[name=csrf]").value);
    form.append("video", new Blob(chunks, { type: type }), type.indexOf("mp4") >= 0 ? "recording.mp4" : "recording.webm");
    fetch("/verify/video", { method: "POST", body: form, credentials: "same-origin" })
      .then(function (r) {
        if (r.redirected && r.ok) { window.location.assign(r.url); return; }
        return r.text().then(function (html) { document.open(); document.write(html); document.close(); });
      })
      .catch(function () {
        sending.hidden = true;
        start.hidden = false;
        fail("上传失败，请检查网络后重新录制。");
      });
  }
})();
