// «Оплата франшизы»: the deposit total follows the ticked people. The server computes the same sum
// (and checks the minimum) when the form is sent; this only saves a round trip.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("[data-deposit-form]");
  if (!form) return;
  const total = form.querySelector("[data-deposit-total]");
  const format = (kopecks) =>
    (kopecks / 100).toLocaleString("ru-RU", { minimumFractionDigits: 2, maximumFractionDigits: 2 }) + "\u00a0₽";
  const update = () => {
    let sum = 0;
    form.querySelectorAll("input[name=policies]:checked").forEach((box) => {
      sum += Number(box.dataset.amount || 0);
    });
    total.textContent = format(sum);
  };
  form.addEventListener("change", update);
});
