// Bar charts of the overview page from its JSON data (no inline script: the CSP forbids it).
// Without Chart.js (make assets not run) the tables below the canvases say the same.
document.addEventListener("DOMContentLoaded", () => {
  const source = document.getElementById("overview-data");
  if (!source || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const draw = (id, groups) => {
    const canvas = document.getElementById(id);
    if (!canvas) return;
    const names = Object.keys(groups);
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: names,
        datasets: data.figures.map((label, i) => ({
          label,
          data: names.map((name) => groups[name][i] / 100),
        })),
      },
      options: { responsive: true, animation: false },
    });
  };
  draw("chart-units", data.units);
  draw("chart-categories", data.categories);
});
