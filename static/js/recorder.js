// Record a meeting in the browser (MediaRecorder) and hand the file to the upload form.
// Nothing is sent while recording: the file goes to this server only when the form is
// submitted. The indicator and the page title show that the microphone is on.
(function () {
  "use strict";
  const form = document.getElementById("transcription-form");
  const box = document.getElementById("recorder");
  if (!form || !box || !window.MediaRecorder || !navigator.mediaDevices) {
    return; // no recorder: the upload field is all there is
  }
  const start = document.getElementById("record-start");
  const stop = document.getElementById("record-stop");
  const status = document.getElementById("record-status");
  const clock = document.getElementById("record-clock");
  const done = document.getElementById("record-done");
  const error = document.getElementById("record-error");
  const fileInput = form.querySelector("input[type=file]");
  const recorded = form.querySelector("input[name=recorded]");
  const consent = form.querySelector("input[name=consent]");
  const maxSeconds = parseInt(form.dataset.maxSeconds, 10) || 10800;
  const title = document.title;
  let recorder = null;
  let timer = null;

  box.hidden = false;

  function showError(key) {
    error.textContent = error.dataset[key];
    error.hidden = false;
  }

  function format(seconds) {
    const h = Math.floor(seconds / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    const s = String(seconds % 60).padStart(2, "0");
    return h ? h + ":" + String(m).padStart(2, "0") + ":" + s : m + ":" + s;
  }

  function pickType() {
    const types = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/mp4", "audio/webm"];
    return types.find((t) => MediaRecorder.isTypeSupported(t)) || "";
  }

  function warnOnLeave(event) {
    event.preventDefault();
    event.returnValue = "";
  }

  start.addEventListener("click", async function () {
    error.hidden = true;
    if (!consent.checked) {
      showError("consent");
      consent.focus();
      return;
    }
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (e) {
      showError(e && e.name === "NotAllowedError" ? "denied" : "missing");
      return;
    }
    const type = pickType();
    recorder = new MediaRecorder(stream, type ? { mimeType: type } : {});
    const chunks = [];
    const began = Date.now();
    recorder.addEventListener("dataavailable", (e) => e.data.size && chunks.push(e.data));
    recorder.addEventListener("stop", function () {
      stream.getTracks().forEach((track) => track.stop());
      clearInterval(timer);
      window.removeEventListener("beforeunload", warnOnLeave);
      document.title = title;
      const mime = recorder.mimeType || type || "audio/webm";
      const ext = mime.includes("mp4") ? "m4a" : mime.includes("ogg") ? "ogg" : "webm";
      const file = new File(chunks, "aufnahme." + ext, { type: mime });
      const files = new DataTransfer();
      files.items.add(file);
      fileInput.files = files.files;
      recorded.value = "True";
      status.hidden = true;
      stop.hidden = true;
      start.hidden = false;
      done.hidden = false;
    });
    recorder.start(1000);
    window.addEventListener("beforeunload", warnOnLeave);
    start.hidden = true;
    stop.hidden = false;
    done.hidden = true;
    status.hidden = false;
    clock.textContent = "0:00";
    timer = setInterval(function () {
      const seconds = Math.floor((Date.now() - began) / 1000);
      clock.textContent = format(seconds);
      document.title = "● " + format(seconds) + " · " + title;
      if (seconds >= maxSeconds) {
        recorder.stop();
      }
    }, 1000);
    stop.focus();
  });

  stop.addEventListener("click", function () {
    if (recorder && recorder.state !== "inactive") {
      recorder.stop();
    }
  });
})();
