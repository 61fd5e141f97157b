// The monthly report's chart: completion and overdue per unit, from the page's json_script
// (no inline script: the Content-Security-Policy forbids it).
document.addEventListener("DOMContentLoaded", () => {
  const canvas = document.getElementById("followup-chart");
  const source = document.getElementById("followup-chart-data");
  if (!canvas || !source || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [
        { label: data.completion_label, data: data.completion, backgroundColor: "#2e7d32" },
        { label: data.overdue_label, data: data.overdue, backgroundColor: "#c62828" },
      ],
    },
    options: { responsive: true, scales: { y: { min: 0, max: 100 } } },
  });
});
