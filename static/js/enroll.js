// The enrollment page: live document points, caretaker section, camera capture, crop.
// Everything here is a convenience for the clerk; the server checks it all again.
"use strict";

(function () {
  const form = document.getElementById("enroll-form");
  if (!form) return;

  // --- Address fields follow the chosen kind of address -----------------------------
  function showAddressFields() {
    const kind = form.querySelector("input[name=address_kind]:checked");
    for (const block of form.querySelectorAll("[data-show-for]")) {
      block.hidden = !kind || !block.dataset.showFor.split(" ").includes(kind.value);
    }
  }
  form.addEventListener("change", (event) => {
    if (event.target.name === "address_kind") showAddressFields();
  });
  showAddressFields();

  // --- Points tally --------------------------------------------------------------------
  const tally = document.getElementById("points-tally");
  const tallyText = document.getElementById("i18n-tally").content.textContent.trim();
  const need = {
    identity: Number(form.dataset.identityMin),
    residency: Number(form.dataset.residencyMin),
    total: Number(form.dataset.totalMin),
  };
  function updateTally() {
    let identity = 0, residency = 0;
    for (const box of form.querySelectorAll("input[name=documents]:checked")) {
      identity += Number(box.dataset.identity || 0);
      residency += Number(box.dataset.residency || 0);
    }
    const total = identity + residency;
    const values = { identity, residency, total, identity_min: need.identity,
                     residency_min: need.residency, total_min: need.total };
    tally.textContent = tallyText.replace(/\{(\w+)\}/g, (_, key) => values[key]);
    const enough = identity >= need.identity && residency >= need.residency && total >= need.total;
    tally.classList.toggle("ok", enough);
  }
  form.addEventListener("change", (event) => {
    if (event.target.name === "documents") updateTally();
  });
  updateTally();

  // --- Caretaker section only for young applicants ------------------------------------
  const caretaker = document.getElementById("caretaker");
  const bornOn = form.querySelector("input[name=born_on]");
  function ageOn(born, today) {
    let age = today.getFullYear() - born.getFullYear();
    const beforeBirthday = today.getMonth() < born.getMonth() ||
      (today.getMonth() === born.getMonth() && today.getDate() < born.getDate());
    return beforeBirthday ? age - 1 : age;
  }
  function showCaretaker() {
    const born = bornOn.valueAsDate;
    caretaker.hidden = !(born && ageOn(born, new Date()) < Number(form.dataset.caretakerUnder));
  }
  bornOn.addEventListener("input", showCaretaker);
  showCaretaker();

  // --- Photo: upload or camera, then crop ---------------------------------------------
  const fileInput = form.querySelector("input[type=file][name=photo]");
  const cropBox = document.getElementById("crop");
  const cropImage = document.getElementById("crop-image");
  const cropFrame = document.getElementById("crop-frame");
  const zoom = document.getElementById("crop-zoom");
  const crop = { x: 0, y: 0, w: 1, h: 1 };  // fractions of the upright image

  function setHidden(name, value) {
    form.querySelector(`input[name=${name}]`).value = value.toFixed(5);
  }

  function fitCrop(sizeFraction) {
    // A 3:4 frame as large as the image allows, scaled by the slider, kept centred.
    const ratio = cropImage.naturalWidth / cropImage.naturalHeight;  // width / height
    let h = 1, w = (3 / 4) / ratio;
    if (w > 1) { w = 1; h = ratio * 4 / 3; }
    const cx = crop.x + crop.w / 2 || 0.5, cy = crop.y + crop.h / 2 || 0.5;
    crop.w = w * sizeFraction; crop.h = h * sizeFraction;
    moveCrop(cx - crop.w / 2, cy - crop.h / 2);
  }

  function moveCrop(x, y) {
    crop.x = Math.min(Math.max(x, 0), 1 - crop.w);
    crop.y = Math.min(Math.max(y, 0), 1 - crop.h);
    Object.assign(cropFrame.style, {
      left: `${crop.x * 100}%`, top: `${crop.y * 100}%`,
      width: `${crop.w * 100}%`, height: `${crop.h * 100}%`,
    });
    for (const key of ["x", "y", "w", "h"]) setHidden(`crop_${key}`, crop[key]);
  }

  function showForCrop(file) {
    cropImage.onload = () => {
      cropBox.hidden = false;
      crop.x = crop.y = 0; crop.w = crop.h = 1;
      zoom.value = 100;
      fitCrop(1);
    };
    cropImage.src = URL.createObjectURL(file);
  }

  fileInput.addEventListener("change", () => {
    if (fileInput.files.length) showForCrop(fileInput.files[0]);
  });
  zoom.addEventListener("input", () => fitCrop(Number(zoom.value) / 100));

  let drag = null;
  cropFrame.addEventListener("pointerdown", (event) => {
    drag = { startX: event.clientX, startY: event.clientY, x: crop.x, y: crop.y };
    cropFrame.setPointerCapture(event.pointerId);
  });
  cropFrame.addEventListener("pointermove", (event) => {
    if (!drag) return;
    const stage = cropImage.getBoundingClientRect();
    moveCrop(drag.x + (event.clientX - drag.startX) / stage.width,
             drag.y + (event.clientY - drag.startY) / stage.height);
  });
  cropFrame.addEventListener("pointerup", () => { drag = null; });
  cropFrame.addEventListener("keydown", (event) => {
    const step = 0.02;
    const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0],
                    ArrowUp: [0, -step], ArrowDown: [0, step] };
    if (!moves[event.key]) return;
    event.preventDefault();
    moveCrop(crop.x + moves[event.key][0], crop.y + moves[event.key][1]);
  });

  // Camera: a frame from the video becomes the file in the photo input, so upload
  // and camera photos take the same path to the server.
  const cameraPanel = document.getElementById("camera");
  const video = document.getElementById("camera-video");
  const cameraError = document.getElementById("camera-error");
  document.getElementById("camera-start").addEventListener("click", async () => {
    try {
      video.srcObject = await navigator.mediaDevices.getUserMedia(
        { video: { width: { ideal: 1280 }, height: { ideal: 960 } }, audio: false });
      cameraPanel.hidden = false;
      cameraError.hidden = true;
    } catch (error) {
      cameraError.hidden = false;
    }
  });
  document.getElementById("camera-take").addEventListener("click", () => {
    const canvas = document.createElement("canvas");
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext("2d").drawImage(video, 0, 0);
    canvas.toBlob((blob) => {
      const file = new File([blob], "camera.jpg", { type: "image/jpeg" });
      const transfer = new DataTransfer();
      transfer.items.add(file);
      fileInput.files = transfer.files;
      for (const track of video.srcObject.getTracks()) track.stop();
      cameraPanel.hidden = true;
      showForCrop(file);
    }, "image/jpeg", 0.92);
  });
})();
