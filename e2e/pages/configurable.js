document.addEventListener("DOMContentLoaded", () => {
  const widget = document.createElement("sir-donate");
  widget.setAttribute("api-base", "{{API_BASE}}");
  for (const [name, value] of new URLSearchParams(location.search)) widget.setAttribute(name, value);
  document.getElementById("slot").append(widget);
});
