// Starts GOV.UK Frontend's components (show/hide password, error summary focus, and so on).
import { initAll } from "/static/dist/js/govuk-frontend.min.js";

initAll();
