// Behaviour of the account forms: the randomized keypad and the four
// activation code boxes.  Loaded as a module; no inline script anywhere (CSP).

function plural(count) {
  return count + (count > 1 ? " chiffres saisis" : " chiffre saisi");
}

function setupKeypad(keypad) {
  const value = keypad.querySelector("[data-ts-keypad-value]");
  const dots = keypad.querySelector("[data-ts-keypad-dots]");
  const count = keypad.querySelector("[data-ts-keypad-count]");
  const max = 10;
  const show = () => {
    dots.textContent = "•".repeat(value.value.length);
    count.textContent = plural(value.value.length);
  };
  keypad.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button || !keypad.contains(button)) return;
    if (button.hasAttribute("data-ts-erase")) {
      value.value = value.value.slice(0, -1);
    } else if (button.hasAttribute("data-ts-key") && value.value.length < max) {
      value.value += button.dataset.tsKey;
    }
    show();
  });
  show();
}

function setupCode(group) {
  const boxes = Array.from(group.querySelectorAll(".ts-code__box"));
  const clean = (text) => text.toUpperCase().replace(/[^0-9A-Z]/g, "");
  const spread = (text, from) => {
    let rest = clean(text);
    for (let i = from; i < boxes.length && rest; i++) {
      const size = Number(boxes[i].dataset.tsSize);
      boxes[i].value = rest.slice(0, size);
      rest = rest.slice(size);
      if (boxes[i].value.length === size && i + 1 < boxes.length) boxes[i + 1].focus();
    }
  };
  boxes.forEach((box, index) => {
    box.addEventListener("paste", (event) => {
      const text = (event.clipboardData || window.clipboardData).getData("text");
      event.preventDefault();
      spread(text, index);
    });
    box.addEventListener("input", () => {
      const size = Number(box.dataset.tsSize);
      if (clean(box.value).length > size) {
        spread(box.value, index);
      } else if (clean(box.value).length === size && index + 1 < boxes.length) {
        boxes[index + 1].focus();
      }
    });
    box.addEventListener("keydown", (event) => {
      if (event.key === "Backspace" && box.value === "" && index > 0) {
        boxes[index - 1].focus();
      }
    });
  });
}

document.querySelectorAll("[data-ts-keypad]").forEach(setupKeypad);
document.querySelectorAll("[data-ts-code]").forEach(setupCode);
