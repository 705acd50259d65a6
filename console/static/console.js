// Small helpers for the console; every page works without them (forms post normally).
"use strict";

document.addEventListener("submit", (event) => {
  const message = event.target.dataset && event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("campaign-form");
  if (!form) return;
  const placeholders = JSON.parse(form.dataset.placeholders || "{}");
  const quiet = (form.dataset.quiet || "").split("-");
  const nightChannels = ["article", "template"];
  const field = (name) => form.elements[name];
  const DAYS = {mon: "thứ Hai", tue: "thứ Ba", wed: "thứ Tư", thu: "thứ Năm", fri: "thứ Sáu", sat: "thứ Bảy", sun: "Chủ nhật"};

  function toMinutes(text) {
    const m = /^(\d{1,2}):(\d{2})/.exec(text || "");
    return m ? Number(m[1]) * 60 + Number(m[2]) : null;
  }
  function inside(start, end, t) {
    return start <= end ? t >= start && t < end : t >= start || t < end;
  }
  function warnTime() {
    const box = document.getElementById("time-warning");
    const kind = field("schedule_kind").value;
    const clock = field("clock").value;
    const t = toMinutes(clock);
    const lines = [];
    if (t !== null && kind !== "manual" && kind !== "custom") {
      const qs = toMinutes(quiet[0]), qe = toMinutes(quiet[1]);
      if (qs !== null && qe !== null && qs !== qe && inside(qs, qe, t)) {
        lines.push(`${clock} nằm trong giờ yên lặng (${quiet[0]}–${quiet[1]}): tin sẽ chờ tới ${quiet[1]} mới gửi.`);
      }
      if (nightChannels.includes(field("channel").value) && inside(22 * 60, 6 * 60, t)) {
        lines.push(`${clock} nằm trong khung đêm Zalo cấm gửi tin quảng bá (22:00–06:00).`);
      }
    }
    box.replaceChildren(...lines.map((text) => Object.assign(document.createElement("p"), {textContent: "⚠ " + text})));
  }
  function showWhen() {
    const kind = field("schedule_kind").value;
    form.querySelectorAll(".when").forEach((el) => { el.hidden = !el.dataset.for.split(" ").includes(kind); });
    const clock = field("clock").value;
    const words = {
      manual: "chỉ gửi khi cán bộ bấm “Gửi ngay”",
      once: () => { const [y, m, d] = (field("date").value || "--").split("-"); return `một lần lúc ${clock} ngày ${d}/${m}/${y}`; },
      weekly: () => `hằng tuần ${DAYS[field("weekday").value]} ${clock}`,
      monthly: () => `ngày làm việc đầu tiên mỗi tháng, ${clock}`,
      quarterly: () => `mỗi quý, ngày ${field("quarter_day").value} tháng đầu quý (tháng 1, 4, 7, 10), ${clock}`,
      custom: "lịch tùy chỉnh trong tệp chiến dịch",
    }[kind];
    document.getElementById("schedule-words").textContent = typeof words === "function" ? words() : words;
    warnTime();
  }
  function fill(text) {
    return text.replace(/\{(\w+)\}/g, (all, key) => (key in placeholders ? placeholders[key] : all));
  }
  function preview() {
    document.getElementById("preview-text").textContent = fill(field("text").value);
    const image = document.getElementById("preview-image");
    image.hidden = !field("image_url").value;
    if (field("image_url").value) image.src = field("image_url").value;
    const buttons = document.getElementById("preview-buttons");
    const titles = [];
    for (let i = 0; i < 5; i++) {
      const title = field(`button_${i}_title`);
      if (title && title.value.trim()) titles.push(title.value.trim());
    }
    buttons.replaceChildren(...titles.map((t) => Object.assign(document.createElement("span"), {className: "zbtn", textContent: t})));
  }
  let pending = null;
  function count() {
    clearTimeout(pending);
    pending = setTimeout(async () => {
      const kind = form.querySelector("input[name=audience_kind]:checked");
      const values = kind && kind.value === "topic"
        ? [...form.querySelectorAll("input[name=topics]:checked")].map((el) => el.value).join(",")
        : kind && kind.value === "users" ? field("audience_users").value.split(" ").join(",") : field("tags").value;
      const params = new URLSearchParams({kind: kind ? kind.value : "all_followers", values, channel: field("channel").value});
      const out = document.getElementById("audience-count");
      try {
        const response = await fetch(`${form.dataset.countUrl}?${params}`, {credentials: "same-origin"});
        const data = await response.json();
        const skipped = Object.entries(data.skipped).map(([reason, n]) => `${n} ${reason}`).join(", ");
        out.textContent = `Hiện sẽ gửi tới ${data.send} người` + (skipped ? ` (bỏ qua: ${skipped})` : "") + ".";
      } catch (error) {
        out.textContent = "Không đếm được người nhận lúc này.";
      }
    }, 250);
  }
  form.addEventListener("input", (event) => {
    const name = event.target.name || "";
    if (["text", "image_url"].includes(name) || name.startsWith("button_")) preview();
    if (["audience_kind", "topics", "tags"].includes(name)) count();
    if (["schedule_kind", "clock", "date", "weekday", "quarter_day"].includes(name)) showWhen();
  });
  form.addEventListener("change", (event) => {
    if (["audience_kind", "topics"].includes(event.target.name)) count();
    if (["schedule_kind", "weekday"].includes(event.target.name)) showWhen();
  });
  showWhen();
  count();
});
