/* chainkg API docs: start Swagger UI or ReDoc (served from /static/apidocs) on the OpenAPI document. */
(function () {
  "use strict";
  var el = document.getElementById("apidocs");
  var url = el.getAttribute("data-openapi");
  if (el.getAttribute("data-ui") === "swagger") {
    window.chainkgDocs = window.SwaggerUIBundle({
      url: url,
      domNode: el,
      deepLinking: true,
      validatorUrl: null, // the validator badge would call an outside host
      presets: [window.SwaggerUIBundle.presets.apis, window.SwaggerUIBundle.SwaggerUIStandalonePreset],
      layout: "BaseLayout"
    });
  } else {
    window.Redoc.init(url, { disableSearch: false, hideDownloadButton: false }, el);
  }
})();
