// Runs before the page paints: applies the theme chosen with the toggle (else the system's, via CSS).
try { var t = localStorage.getItem("anvil-theme"); if (t === "dark" || t === "light") document.documentElement.dataset.theme = t; } catch (e) { }
